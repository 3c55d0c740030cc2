public import Foundation

/// Where imports may fetch from and how much: remote imports must not become a way to reach
/// arbitrary (internal) addresses, or to fill the disk.
public struct FetchPolicy: Sendable {
    /// Host names or addresses allowed, exactly, or `*.example.com` for a domain's hosts.
    /// Empty: no remote import is allowed.
    public var allowedHosts: [String]
    public var maxBytes: Int
    /// Seconds for the whole fetch: connecting, every reply, every byte. Not per read: a server
    /// that trickles a byte at a time cannot hold an import (and the worker) for longer.
    public var timeout: TimeInterval

    public init(allowedHosts: [String] = [], maxBytes: Int = 100 * 1024 * 1024, timeout: TimeInterval = 60) {
        self.allowedHosts = allowedHosts
        self.maxBytes = maxBytes
        self.timeout = timeout
    }

    public func allows(host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return allowedHosts.contains { pattern in
            let p = pattern.lowercased()
            if p.hasPrefix("*.") { return host.hasSuffix(String(p.dropFirst(1))) && host.count > p.count - 1 }
            return p == host
        }
    }
}

extension FetchPolicy {
    /// Scheme, host and port (the scheme's default when absent): credentials given for one
    /// origin are never sent to another, whatever a redirect says.
    public struct Origin: Sendable, Equatable {
        public var scheme: String
        public var host: String
        public var port: Int

        public init?(_ url: URL) {
            guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
            let defaults = ["http": 80, "https": 443, "ftp": 21]
            guard let port = url.port ?? defaults[scheme] else { return nil }
            self.scheme = scheme
            self.host = host
            self.port = port
        }
    }
}

public enum FetchError: Error, Equatable, CustomStringConvertible {
    case hostNotAllowed(String)
    case notFound
    case tooLarge(Int)
    /// The download could not be stored here (BackMsg_88).
    case storage(String)
    case failed(String)
    /// The whole fetch took longer than `importTimeoutSeconds` (BackMsg_89).
    case timedOut(TimeInterval)

    public var description: String {
        switch self {
        case .hostNotAllowed(let host): return "host \(host) is not in importAllowedHosts"
        case .notFound: return "the file does not exist"
        case .tooLarge(let cap): return "the file is larger than \(cap) bytes"
        case .storage(let why): return "cannot store the download: \(why)"
        case .failed(let why): return why
        case .timedOut(let seconds): return "the fetch took longer than \(Int(seconds)) s (importTimeoutSeconds)"
        }
    }
}
