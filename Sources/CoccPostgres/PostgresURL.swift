import Foundation

/// Where a PostgreSQL store is and how to reach it, parsed from a libpq-style URL:
/// `postgres://user:password@host:port/database?sslmode=require&sslrootcert=/etc/ca.pem&pool=10`
/// (`postgresql://` too). User and password are percent-decoded (`p%40ss` is `p@ss`); an `@`
/// left raw in the password still parses, as the host follows the last one. The password is kept
/// for the connection only: neither ``description`` nor `String(reflecting:)` nor `dump` shows it.
///
/// ```swift
/// let location = try PostgresURL(parsing: "postgres://coccd:s3cret@db.example/coccd?sslmode=verify-full")
/// print(location)  // db.example:5432/coccd
/// ```
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// libpq's `sslmode` values. `require` and `verify-ca` check the certificate chain (against
    /// `sslrootcert`, else the system's roots) but not the host name; `verify-full` checks both;
    /// `prefer` encrypts when the server offers TLS and checks nothing (as libpq's does).
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    /// The database; the user's name when the URL names none (PostgreSQL's own default).
    public var database: String
    public var user: String
    var password: String?
    public var sslMode: SSLMode
    /// A PEM file of the certificate authorities to trust (`sslrootcert`).
    public var sslRootCert: String?
    /// The pool's maximum number of connections (`pool`, default 10).
    public var maximumConnections: Int
    /// How long opening a connection may take (`connect_timeout`, seconds, default 5).
    public var connectTimeout: Duration

    public static let defaultPort = 5432
    public static let defaultPoolSize = 10

    public init(parsing text: String) throws {
        func invalid(_ why: String) -> PostgresStoreError {
            PostgresStoreError(endpoint: "(url)", operation: "parse the store URL", message: why)
        }
        guard let schemeEnd = text.range(of: "://") else { throw invalid("expected postgres://user:password@host:port/database") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else { throw invalid("the scheme is not postgres:// or postgresql://") }
        var rest = text[schemeEnd.upperBound...]

        // The query first: its values (a file path) may hold '/' and '@'.
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        // The authority ends at the first '/' after the last '@' (a raw '@' in a password).
        let hostStart = rest.lastIndex(of: "@").map { rest.index(after: $0) } ?? rest.startIndex
        let pathStart = rest[hostStart...].firstIndex(of: "/") ?? rest.endIndex
        let userinfo = hostStart == rest.startIndex ? nil : rest[..<rest.index(before: hostStart)]
        let hostPort = rest[hostStart..<pathStart]
        let path = pathStart == rest.endIndex ? "" : rest[rest.index(after: pathStart)...]

        user = ""
        password = nil
        if let userinfo {
            let colon = userinfo.firstIndex(of: ":")
            guard let name = String(userinfo[..<(colon ?? userinfo.endIndex)]).removingPercentEncoding else {
                throw invalid("the user name has an invalid percent-encoding")
            }
            user = name
            if let colon {
                guard let secret = String(userinfo[userinfo.index(after: colon)...]).removingPercentEncoding else {
                    throw invalid("the password has an invalid percent-encoding")
                }
                password = secret
            }
        }
        guard !user.isEmpty else { throw invalid("the URL names no user") }

        (host, port) = try Self.hostAndPort(hostPort, invalid)
        guard let name = String(path).removingPercentEncoding, !name.contains("/") else {
            throw invalid("the database name is invalid")
        }
        database = name.isEmpty ? user : name

        sslMode = .prefer
        sslRootCert = nil
        maximumConnections = Self.defaultPoolSize
        connectTimeout = .seconds(5)
        try applyQuery(query, invalid)
    }

    private static func hostAndPort(_ text: Substring, _ invalid: (String) -> PostgresStoreError) throws -> (String, Int) {
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            // [::1]:5432
            guard let close = text.firstIndex(of: "]") else { throw invalid("unbalanced [ in the host") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let decodedHost = String(host).removingPercentEncoding, !decodedHost.isEmpty else { throw invalid("the URL names no host") }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else { throw invalid("the port is not a number in 1...65535") }
            port = value
        }
        return (decodedHost, port)
    }

    private mutating func applyQuery(_ query: Substring, _ invalid: (String) -> PostgresStoreError) throws {
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(pair[0])
            guard let value = (pair.count > 1 ? String(pair[1]) : "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else { throw invalid("the value of \(key) has an invalid percent-encoding") }
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw invalid("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert":
                sslRootCert = value.isEmpty ? nil : value
            case "pool":
                guard let size = Int(value), (1...1_000).contains(size) else { throw invalid("pool must be a number in 1...1000") }
                maximumConnections = size
            case "connect_timeout":
                guard let seconds = Int(value), (1...600).contains(seconds) else {
                    throw invalid("connect_timeout must be a number of seconds in 1...600")
                }
                connectTimeout = .seconds(seconds)
            default:
                // Refused rather than ignored: a misspelt `sslmode` must not quietly mean `prefer`.
                throw invalid("unknown parameter \(key) (known: sslmode, sslrootcert, pool, connect_timeout)")
            }
        }
    }

    /// `host:port/database`: what logs, errors and `/health` show.
    public var description: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)/\(database)"
    }

    public var debugDescription: String {
        "PostgresURL(\(user)@\(description), sslmode: \(sslMode.rawValue), pool: \(maximumConnections))"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "database": database, "user": user, "password": password == nil ? "none" : "(hidden)",
                "sslMode": sslMode, "sslRootCert": sslRootCert as Any, "maximumConnections": maximumConnections,
            ])
    }
}
