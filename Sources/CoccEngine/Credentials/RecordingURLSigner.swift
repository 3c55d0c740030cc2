import CoccStorage
public import Crypto
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Signs the recording URLs getMonitor answers, so that knowing a call's session id (which is
/// in every event) is not enough to download its recording.
///
/// A URL is `<webroot>getMonitor/<path>?expires=<unix seconds>&signature=<hex>`, the signature
/// an HMAC-SHA256 of the path and the expiry under a key kept in the data directory
/// (`recording-url.key`, mode 0600), so that URLs stay valid across a restart.
/// ```swift
/// let signer = try RecordingURLSigner(dataDirectory: "data", lifetime: 24 * 3600)
/// let query = signer.query(for: "1/20261201/<sessionid>.wav")     // "expires=...&signature=..."
/// signer.verify(path: "1/20261201/<sessionid>.wav", expires: e, signature: s)   // .valid
/// ```
public struct RecordingURLSigner: Sendable {
    /// Why a request for a recording is refused, or that it is not.
    public enum Verdict: Sendable, Equatable {
        case valid
        case unsigned
        case expired
        case badSignature
    }

    public static let keyFileName = "recording-url.key"

    let key: SymmetricKey
    public let lifetime: TimeInterval
    let clock: @Sendable () -> Date

    public init(key: SymmetricKey, lifetime: TimeInterval, clock: @escaping @Sendable () -> Date = Date.init) {
        self.key = key
        self.lifetime = lifetime
        self.clock = clock
    }

    /// With the key of the data directory, made there (mode 0600) on first use.
    public init(dataDirectory: String, lifetime: TimeInterval, clock: @escaping @Sendable () -> Date = Date.init) throws {
        self.init(key: try Self.loadOrCreateKey(in: dataDirectory), lifetime: lifetime, clock: clock)
    }

    /// The query that makes `path` (relative to the recordings folder) downloadable until
    /// `lifetime` from now.
    public func query(for path: String) -> String {
        let expires = Int64((clock().timeIntervalSince1970 + lifetime).rounded(.up))
        return "expires=\(expires)&signature=\(mac(path: path, expires: expires))"
    }

    public func verify(path: String, expires: String?, signature: String?) -> Verdict {
        guard let expires, let signature, !signature.isEmpty else { return .unsigned }
        // Checked before the expiry, so that a forged URL learns nothing from the answer.
        guard let seconds = Int64(expires), ConstantTime.equal(mac(path: path, expires: seconds), signature.lowercased()) else {
            return .badSignature
        }
        return Double(seconds) > clock().timeIntervalSince1970 ? .valid : .expired
    }

    private func mac(path: String, expires: Int64) -> String {
        let message = "getMonitor\n\(path)\n\(expires)"
        return Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }

    /// The 256-bit key in `<directory>/recording-url.key` (64 hex digits), created when missing;
    /// an existing file is made 0600 again, a malformed one is an error rather than replaced
    /// (replacing it would silently void every URL handed out).
    /// `fileName`: another key of the data directory kept the same way (``AccessTokens``).
    public static func loadOrCreateKey(in directory: String, fileName: String = keyFileName) throws -> SymmetricKey {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let hex = SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
            // O_EXCL: when two processes race, one creates it and both read the same key below.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                defer { close(fd) }
                let bytes = Array((hex + "\n").utf8)
                guard write(fd, bytes, bytes.count) == bytes.count else { throw KeyFileError(path: path, reason: "could not be written") }
            } else if errno != EEXIST {
                throw KeyFileError(path: path, reason: String(cString: strerror(errno)))
            }
        }
        chmod(path, 0o600)
        guard let text = files.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw KeyFileError(path: path, reason: "cannot be read")
        }
        let hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard hex.utf8.count == 64, let bytes = Self.bytes(hex: hex) else {
            throw KeyFileError(path: path, reason: "is not 64 hexadecimal digits")
        }
        return SymmetricKey(data: bytes)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            guard let byte = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
            chars = chars.dropFirst(2)
        }
        return chars.isEmpty ? out : nil
    }

    /// The key file cannot be used; the message says which file and why.
    public struct KeyFileError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "key file \(path) \(reason)" }
    }
}
