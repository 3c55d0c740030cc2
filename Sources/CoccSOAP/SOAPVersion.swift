/// The two SOAP versions coccd accepts; a reply always uses the request's.
public enum SOAPVersion: Sendable, Equatable {
    case v11
    case v12

    public static let namespace11 = "http://schemas.xmlsoap.org/soap/envelope/"
    public static let namespace12 = "http://www.w3.org/2003/05/soap-envelope"

    public init?(namespace: String) {
        switch namespace {
        case Self.namespace11: self = .v11
        case Self.namespace12: self = .v12
        default: return nil
        }
    }

    public var namespace: String { self == .v11 ? Self.namespace11 : Self.namespace12 }

    /// SOAP 1.1 answers `text/xml` (WCF insists); SOAP 1.2 `application/soap+xml`.
    public var contentType: String {
        self == .v11 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8"
    }
}

/// Why a request gets a fault rather than an answer.
public struct SOAPFault: Error, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        /// The request is wrong: malformed XML, DOCTYPE, unknown operation, empty Body.
        case client
        /// The server could not answer: overloaded, or an internal error.
        case server
        /// The envelope is not in a SOAP namespace.
        case versionMismatch
    }

    public var code: Code
    public var message: String
    /// The version to answer in; 1.1 when the request's could not be read.
    public var version: SOAPVersion

    public init(_ code: Code, _ message: String, version: SOAPVersion = .v11) {
        self.code = code
        self.message = message
        self.version = version
    }

    /// WS-I BP R1126: every SOAP 1.1 fault is a 500. SOAP 1.2: 400 for Sender, else 500.
    public var httpStatus: Int {
        switch (version, code) {
        case (.v12, .client): return 400
        default: return 500
        }
    }
}
