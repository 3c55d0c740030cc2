public import Foundation
import Crypto
import Synchronization

/// Remembers recently verified credentials so that only a miss pays the slow hash.
///
/// Entries are keyed by an HMAC of what the client sent, under a key made at start-up, so the
/// clear password is never held. An entry also records the stored hash it was verified against:
/// when the password changes or the user is removed, the directory no longer matches and the
/// entry is ignored and dropped on its next use.
public final class CredentialCache: Sendable {
    struct Entry {
        var principal: Principal
        var verifiedAgainst: String
        var expires: Date
    }

    private let key = SymmetricKey(size: .bits256)
    private let entries = Mutex<[Data: Entry]>([:])
    private let lifetime: TimeInterval
    private let capacity: Int

    public init(lifetime: TimeInterval = 300, capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The HMAC of the fields, NUL-separated, computed over one contiguous buffer: every
    /// request pays this, so it avoids per-field allocations and generic `DataProtocol` walks.
    func cacheKey(_ c: Credentials) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(c.orgidentity.utf8.count + c.user.utf8.count + c.password.utf8.count + 24)
        for field in [c.orgidentity, c.usertype.lowercased(), c.user, c.pwdtype.lowercased(), c.password] {
            bytes.append(contentsOf: field.utf8)
            bytes.append(0)
        }
        return Data(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }

    /// The principal remembered for this key, if the entry is fresh and still matches `current`.
    func lookup(_ key: Data, now: Date, current: (Principal) -> Principal?) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now, let principal = current(entry.principal), principal.passwordHash == entry.verifiedAgainst else {
                entries[key] = nil
                return nil
            }
            return principal
        }
    }

    func store(_ key: Data, principal: Principal, now: Date) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
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
