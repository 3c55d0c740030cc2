import CoccStorage
import Crypto
import Foundation
import _CryptoExtras

/// The stored form of a password: a salted PBKDF2-SHA256 of the hex MD5 of the password.
///
/// Hashing MD5(password) rather than the password lets both `pwdtype=plaintext` and
/// `pwdtype=md5` verify against one stored value, while the clear password is never kept.
/// ```swift
/// let stored = PasswordHash.make(password: "123456")   // "pbkdf2-sha256$20000$<salt>$<hash>"
/// PasswordHash.verify(md5Hex: PasswordHash.md5Hex("123456"), against: stored)   // true
/// ```
public enum PasswordHash {
    /// Rounds for new hashes; each verification costs a few milliseconds, paid once per cache miss.
    public static let defaultRounds = 20_000

    public static func md5Hex(_ password: String) -> String {
        Hex.lowercase(Insecure.MD5.hash(data: Array(password.utf8)))
    }

    /// True for 32 hexadecimal digits, either case.
    public static func isMD5Hex(_ s: String) -> Bool {
        s.utf8.count == 32 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    public static func make(password: String, rounds: Int = defaultRounds) -> String {
        make(md5Hex: md5Hex(password), rounds: rounds)
    }

    public static func make(md5Hex: String, rounds: Int = defaultRounds) -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let derived = derive(md5Hex: md5Hex, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(derived.base64EncodedString())"
    }

    /// Whether `md5Hex` (either case) matches the stored hash; false for a malformed one.
    public static func verify(md5Hex: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds > 0,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3]))
        else { return false }
        return ConstantTime.equal(derive(md5Hex: md5Hex, salt: [UInt8](salt), rounds: rounds), expected)
    }

    /// The PBKDF2 rounds of a stored hash; nil for a malformed one.
    public static func rounds(of stored: String) -> Int? {
        let parts = stored.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds > 0 else { return nil }
        return rounds
    }

    private static func derive(md5Hex: String, salt: [UInt8], rounds: Int) -> Data {
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Data(md5Hex.lowercased().utf8), salt: salt, using: .sha256, outputByteCount: 32,
            unsafeUncheckedRounds: rounds
        )
        return key.withUnsafeBytes { Data($0) }
    }
}
