import Foundation
import HummingbirdTLS
import NIOSSL

/// A PEM certificate chain and private key, read and checked once at startup, for serving HTTPS
/// (`--tls-cert` / `--tls-key`). Pages on HTTPS origins may only call HTTPS endpoints, JSONP
/// included, so agent pages served over HTTPS need this.
///
/// ```swift
/// let tls = try TLSSettings.load(certificate: "cert.pem", key: "key.pem")
/// let app = CoccApplication.make(configuration: config, center: center, tls: tls, logger: logger)
/// ```
public struct TLSSettings: Sendable {
    let configuration: TLSConfiguration

    /// Why the files could not be used, in words an operator can act on.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads both files; any problem (missing, unreadable, not PEM, a key that does not belong to
    /// the certificate) is a ``LoadError`` naming the file, never a crash at the first connection.
    public static func load(certificate: String, key: String) throws -> TLSSettings {
        for (what, path) in [("certificate", certificate), ("private key", key)] {
            guard !path.isEmpty else { throw LoadError(description: "TLS needs both --tls-cert and --tls-key (the \(what) is missing)") }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw LoadError(description: "cannot read the TLS \(what) file \(path)")
            }
        }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw LoadError(description: "the TLS certificate file \(certificate) is not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw LoadError(description: "the TLS certificate file \(certificate) holds no certificate") }
        let privateKey: NIOSSLPrivateKey
        do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch {
            throw LoadError(description: "the TLS private key file \(key) is not a PEM private key, or is encrypted (\(error))")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        // The context is what checks that the key matches the certificate; build it once here.
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw LoadError(description: "the TLS private key \(key) does not match the certificate \(certificate) (\(error))")
        }
        return TLSSettings(configuration: configuration)
    }
}
