import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccStorage
import CoccStore
import Crypto
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("authentication: hashing, cache, throttle")
struct AuthenticationTests {
    let logger = Logger(label: "test")

    @Test
    func passwordHashes() {
        let stored = PasswordHash.make(password: "s3cret", rounds: 1000)
        #expect(stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(!stored.contains("s3cret") && !stored.contains(PasswordHash.md5Hex("s3cret")))
        #expect(PasswordHash.verify(md5Hex: PasswordHash.md5Hex("s3cret"), against: stored))
        // The digest as PHP's md5() writes it (lower-case hex), which clients send as pwdtype=md5.
        #expect(PasswordHash.md5Hex("123456") == "e10adc3949ba59abbe56e057f20f883e")
        #expect(Hex.lowercase([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(PasswordHash.verify(md5Hex: PasswordHash.md5Hex("s3cret").uppercased(), against: stored))
        #expect(!PasswordHash.verify(md5Hex: PasswordHash.md5Hex("S3cret"), against: stored))
        #expect(!PasswordHash.verify(md5Hex: PasswordHash.md5Hex("s3cret"), against: "plain:s3cret"))
        #expect(PasswordHash.make(password: "s3cret", rounds: 1000) != stored)  // salted
    }

    @Test
    func nothingInTheStoreIsClear() async throws {
        let f = try await Fixture()
        let dump = try await f.store.database.read { db in
            try String.fetchAll(db, sql: "SELECT password_hash FROM agents UNION ALL SELECT password_hash FROM accounts")
        }
        #expect(dump.count == 8)  // 6 agents, 2 accounts across both teams
        #expect(dump.allSatisfy { $0.hasPrefix("pbkdf2-sha256$") && !$0.contains("123456") && !$0.contains("e10adc39") })
    }

    @Test
    func cacheHitsAndPasswordChanges() async throws {
        let f = try await Fixture()
        let creds = Credentials(orgidentity: "demo", usertype: "agent", user: "8001", pwdtype: "plaintext", password: "123456")
        let auth = f.center.authenticator
        #expect(auth.cache.count == 0)
        guard case .success(.agent(let agent)) = auth.authenticate(creds, in: f.center.directory, logger: logger) else {
            Issue.record("expected success")
            return
        }
        #expect(agent.number == "8001")
        #expect(auth.cache.count == 1)
        _ = auth.authenticate(creds, in: f.center.directory, logger: logger)
        #expect(auth.cache.count == 1)
        // A new password: the remembered credential no longer matches the directory.
        let account = Credentials(orgidentity: "demo", usertype: "account", user: "admin", pwdtype: "plaintext", password: "admin123")
        #expect(auth.authenticate(account, in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.cache.count == 2)
        try await f.admin.setAgent(team: "demo", number: "8001", password: "newpass")
        try await f.center.reloadDirectoryIfChanged(logger: logger)
        #expect(auth.cache.count == 1)  // dropped at the reload; the account's entry stays
        #expect(auth.authenticate(creds, in: f.center.directory, logger: logger) == .failure(.message(.agentOrPasswordWrong)))
        var fresh = creds
        fresh.password = "newpass"
        #expect(auth.authenticate(fresh, in: f.center.directory, logger: logger).isSuccess)
        // Removed: refused even though a credential was cached.
        try await f.admin.removeAgent(team: "demo", number: "8001")
        try await f.center.reloadDirectoryIfChanged(logger: logger)
        #expect(auth.authenticate(fresh, in: f.center.directory, logger: logger) == .failure(.message(.agentOrPasswordWrong)))
    }

    @Test
    func cacheExpires() async throws {
        let f = try await Fixture()
        let clock = f.clock
        let auth = Authenticator(cache: CredentialCache(lifetime: 60), clock: { clock() })
        let creds = Credentials(
            orgidentity: "demo", usertype: "account", user: "admin", pwdtype: "md5", password: PasswordHash.md5Hex("admin123"))
        #expect(auth.authenticate(creds, in: f.center.directory, logger: logger).isSuccess)
        f.clock.advance(61)
        try await f.admin.setAccount(team: "demo", username: "admin", password: "changed")
        // The file changed but this snapshot is the old one: the expired entry must be re-verified, and still pass.
        #expect(auth.authenticate(creds, in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.cache.count == 1)
    }

    /// A page polling with its password keeps its cached login: a use in the second half of the
    /// lifetime extends it, so no slow hash is paid while it is in use.
    @Test
    func cacheEntriesInUseAreExtended() async throws {
        let f = try await Fixture()
        let clock = f.clock
        let auth = Authenticator(cache: CredentialCache(lifetime: 60), clock: { clock() })
        let creds = Credentials(orgidentity: "demo", usertype: "agent", user: "8001", pwdtype: "plaintext", password: "123456")
        #expect(auth.authenticate(creds, in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.slowHashVerifications == 1)
        for _ in 0..<5 {
            f.clock.advance(40)  // past the first lifetime, but each use came within 60 s of the last
            #expect(auth.authenticate(creds, in: f.center.directory, logger: logger).isSuccess)
        }
        #expect(auth.slowHashVerifications == 1)
        f.clock.advance(61)  // unused for a whole lifetime: verified again
        #expect(auth.authenticate(creds, in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.slowHashVerifications == 2)
    }

    /// The credential cache's key: HMAC-SHA256 with the key's blocks hashed once gives what
    /// swift-crypto's HMAC gives, for keys shorter than, equal to and longer than a block
    /// (RFC 4231 test case 1 among them).
    @Test(arguments: [20, 32, 64, 131])
    func keyedDigestIsHMACSHA256(keyLength: Int) {
        let key = SymmetricKey(data: keyLength == 20 ? [UInt8](repeating: 0x0b, count: 20) : (0..<keyLength).map { UInt8($0 & 0xff) })
        for message in [Array("Hi There".utf8), [], [UInt8](repeating: 0xdd, count: 200)] {
            #expect(KeyedDigest(key: key).code(for: message) == Data(HMAC<SHA256>.authenticationCode(for: message, using: key)))
        }
        let rfc4231 = KeyedDigest(key: SymmetricKey(data: [UInt8](repeating: 0x0b, count: 20))).code(for: Array("Hi There".utf8))
        #expect(Hex.lowercase(rfc4231) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test
    func failuresAreThrottledForThatUserOnly() async throws {
        let f = try await Fixture()
        let clock = f.clock
        let auth = Authenticator(clock: { clock() })
        var creds = Credentials(orgidentity: "demo", usertype: "agent", user: "8002", pwdtype: "plaintext", password: "guess")
        for _ in 0..<4 { _ = auth.authenticate(creds, in: f.center.directory, logger: logger) }
        creds.password = "123456"
        #expect(auth.authenticate(creds, in: f.center.directory, logger: logger) == .failure(.message(.agentOrPasswordWrong)))
        // Others are not affected.
        let other = Credentials(orgidentity: "demo", usertype: "agent", user: "8003", pwdtype: "plaintext", password: "123456")
        #expect(auth.authenticate(other, in: f.center.directory, logger: logger).isSuccess)
        f.clock.advance(1.01)
        #expect(auth.authenticate(creds, in: f.center.directory, logger: logger).isSuccess)
    }

    /// Item 10: an unknown user costs the same slow hash as a known one with a wrong password,
    /// so the answer's timing does not tell which users exist.
    @Test(arguments: ["agent", "account"])
    func unknownUsersCostOneSlowHashAsKnownOnesDo(_ usertype: String) async throws {
        let f = try await Fixture()
        let auth = Authenticator()
        let known = usertype == "agent" ? "8001" : "admin"
        let wrong: BackMessage = usertype == "agent" ? .agentOrPasswordWrong : .accountOrPasswordWrong
        let attempt = { (user: String) in
            auth.authenticate(
                Credentials(orgidentity: "demo", usertype: usertype, user: user, pwdtype: "plaintext", password: "guess"),
                from: "192.0.2.1", in: f.center.directory, logger: logger)
        }
        #expect(attempt(known) == .failure(.message(wrong)))
        #expect(auth.slowHashVerifications == 1)
        #expect(attempt("nobody") == .failure(.message(wrong)))
        #expect(auth.slowHashVerifications == 2)
        #expect(attempt("nobody-either") == .failure(.message(wrong)))
        #expect(auth.slowHashVerifications == 3)
    }

    /// Item 10: the MD5 hex is case-folded before the cache keys on it, so varying its letter
    /// case neither forces the slow hash nor adds entries.
    @Test
    func md5LetterCaseIsOneCacheEntry() async throws {
        let f = try await Fixture()
        let auth = Authenticator()
        let md5 = PasswordHash.md5Hex("123456")
        let variants = [
            md5, md5.uppercased(), "E10adc3949BA59abbe56E057F20F883E",
            String(md5.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element }),
        ]
        for (i, variant) in variants.enumerated() {
            let creds = Credentials(
                orgidentity: "demo", usertype: "agent", user: "8001", pwdtype: i % 2 == 0 ? "md5" : "MD5", password: variant)
            #expect(auth.authenticate(creds, in: f.center.directory, logger: logger).isSuccess)
        }
        // The clear-text form of the same password is the same entry too.
        #expect(
            auth.authenticate(
                Credentials(orgidentity: "demo", usertype: "agent", user: "8001", pwdtype: "plaintext", password: "123456"),
                in: f.center.directory, logger: logger
            ).isSuccess)
        #expect(auth.slowHashVerifications == 1)
        #expect(auth.cache.count == 1)
    }

    /// Item 10: only successful verifications are cached, at most one per principal and password,
    /// and a full cache refuses newcomers rather than flushing everyone.
    @Test
    func nobodyCanFlushTheCache() async throws {
        let f = try await Fixture()
        let auth = Authenticator(cache: CredentialCache(capacity: 2))
        let agent = { (number: String, password: String) in
            Credentials(orgidentity: "demo", usertype: "agent", user: number, pwdtype: "plaintext", password: password)
        }
        #expect(auth.authenticate(agent("8001", "123456"), in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.authenticate(agent("8002", "123456"), in: f.center.directory, logger: logger).isSuccess)
        // Wrong passwords, from many addresses so none is throttled: nothing is stored.
        for i in 0..<20 { _ = auth.authenticate(agent("8001", "guess\(i)"), from: "192.0.2.\(i)", in: f.center.directory, logger: logger) }
        #expect(auth.cache.count == 2)
        // A third user, with the cache full, is verified but not remembered...
        #expect(auth.authenticate(agent("8003", "123456"), in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.cache.count == 2)
        // ...and the first two are still answered from the cache.
        let before = auth.slowHashVerifications
        #expect(auth.authenticate(agent("8001", "123456"), in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.authenticate(agent("8002", "123456"), in: f.center.directory, logger: logger).isSuccess)
        #expect(auth.slowHashVerifications == before)
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
