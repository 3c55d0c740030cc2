import CoccStorage
import Crypto
public import Foundation
import Synchronization

/// Remembers recently verified credentials so that only a miss pays the slow hash.
///
/// An entry is keyed by an HMAC, under a key made at start-up, of the principal it was verified
/// for and the lowercase MD5 hex of the password, so the clear password is never held and the
/// letter case of an `md5` password (or `pwdtype=plaintext` vs `md5`) makes no new entry. Only
/// successful verifications are stored, so there is at most one entry per principal and
/// password: no client can fill the cache or push others out of it. An entry also records the
/// stored hash it was verified against: when the password changes or the user is removed, the
/// directory no longer matches and the entry is ignored and dropped on its next use.
public final class CredentialCache: Sendable {
    struct Entry {
        var principal: Principal
        var verifiedAgainst: String
        var expires: Date
    }

    private let digest = KeyedDigest(key: SymmetricKey(size: .bits256))
    private let entries = Mutex<[Data: Entry]>([:])
    private let lifetime: TimeInterval
    private let capacity: Int

    public init(lifetime: TimeInterval = 300, capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The HMAC of the principal and the password's MD5 hex (lowercased here, whatever the
    /// caller did), computed over one contiguous buffer: every request pays this.
    func cacheKey(_ principal: Principal, md5Hex: String) -> Data {
        let (kind, id): (UInt8, Int64) =
            switch principal {
            case .agent(let agent): (1, agent.id)
            case .account(let account): (2, account.id)
            }
        var bytes: [UInt8] = [kind]
        bytes.reserveCapacity(48)
        withUnsafeBytes(of: id.littleEndian) { bytes.append(contentsOf: $0) }
        for byte in md5Hex.utf8 { bytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte) }
        return digest.code(for: bytes)
    }

    /// Whether this key was verified for `principal` as the directory has it now. A use in the
    /// second half of an entry's lifetime extends it: a page polling with its password keeps
    /// its entry, where a fixed expiry made 10,000 polling agents pay ~33 slow hashes a second.
    /// A changed password or a removed user still drops the entry at its next use.
    func contains(_ key: Data, for principal: Principal, now: Date) -> Bool {
        entries.withLock { entries in
            guard let entry = entries[key] else { return false }
            guard entry.expires > now, entry.verifiedAgainst == principal.passwordHash, entry.principal.sameIdentity(as: principal) else {
                entries[key] = nil
                return false
            }
            if entry.expires.timeIntervalSince(now) < lifetime / 2 { entries[key]?.expires = now + lifetime }
            return true
        }
    }

    func store(_ key: Data, principal: Principal, now: Date) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                // Still full (more live principals than the capacity): this one pays the hash
                // next time; nobody else's entry is pushed out.
                if entries.count >= capacity { return }
            }
            entries[key] = Entry(principal: principal, verifiedAgainst: principal.passwordHash, expires: now + lifetime)
        }
    }

    /// Drops every entry of a principal whose password changed or who was removed.
    public func invalidate(where predicate: @Sendable (Principal) -> Bool) {
        entries.withLock { entries in entries = entries.filter { !predicate($0.value.principal) } }
    }

    public var count: Int { entries.withLock { $0.count } }
}

extension Principal {
    /// The same agent or account, whatever its other fields.
    func sameIdentity(as other: Principal) -> Bool {
        switch (self, other) {
        case (.agent(let a), .agent(let b)): return a.id == b.id
        case (.account(let a), .account(let b)): return a.id == b.id
        default: return false
        }
    }
}
