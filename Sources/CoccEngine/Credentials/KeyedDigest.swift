public import Crypto
public import Foundation

/// HMAC-SHA256 (RFC 2104) under one key, with the key's inner and outer blocks hashed once:
/// `HMAC<SHA256>.authenticationCode(for:using:)` pads and hashes the key again on every call,
/// which the credential cache pays on every request (4.4% of an agentStatus).
///
/// ```swift
/// let digest = KeyedDigest(key: SymmetricKey(size: .bits256))
/// let code = digest.code(for: Array("message".utf8))   // == HMAC<SHA256>.authenticationCode(...)
/// ```
public struct KeyedDigest: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    public init(key: SymmetricKey) {
        // A key longer than SHA-256's 64-byte block is hashed first, as HMAC does.
        var block = key.withUnsafeBytes { Array($0) }
        if block.count > 64 { block = Array(SHA256.hash(data: block)) }
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5c })
        (self.inner, self.outer) = (inner, outer)
    }

    public func code(for message: [UInt8]) -> Data {
        var inner = self.inner
        inner.update(data: message)
        var outer = self.outer
        outer.update(data: Array(inner.finalize()))
        return Data(outer.finalize())
    }
}
