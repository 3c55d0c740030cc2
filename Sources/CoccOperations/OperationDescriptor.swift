/// What an operation looks like on each interface: its names and parameter orders.
///
/// Adapters read only descriptors; the catalogue pairs each with its handler.
/// ```swift
/// OperationDescriptor(name: "login", soapName: "login", httpEvents: ["LOGIN"], cjiName: "loginCJI",
///     soapParameters: ["orgidentity", "usertype", "user", "pwdtype", "password"], ...)
/// ```
public struct OperationDescriptor: Sendable {
    /// The logical name, also used in logs and metrics.
    public let name: String
    /// The SOAP operation, or nil where the manual has none.
    public let soapName: String?
    /// HTTP `EVENT` values, canonical first; matched case-insensitively.
    public let httpEvents: [String]
    /// The CJI function name (`loginCJI`), or nil where the manual has none.
    public let cjiName: String?
    /// Parameters in the SOAP prototype's order: WSDL parts, and positional `paramN` arguments.
    public let soapParameters: [String]
    /// Parameters in the HTTP request's order (names matter there, order documents).
    public let httpParameters: [String]
    /// Parameters in the CJI function's order, `callbackFuc` included where the manual puts it.
    public let cjiParameters: [String]
    /// One line for the WSDL's documentation and the test page.
    public let summary: String
    /// Every parameter name any variant knows, in first-seen order (`callbackFuc` excluded).
    public let allParameters: [String]
    /// The same names as a set, for the SOAP adapter's by-name matching on every request.
    public let parameterNames: Set<String>

    /// Other SOAP names the operation answers to, never advertised in the WSDL: names that
    /// deployed clients generated from a garbled page of the manual (`deviceCall` for backCall).
    public let soapAliases: [String]

    public init(
        name: String, soapName: String?, httpEvents: [String], cjiName: String?,
        soapParameters: [String], httpParameters: [String], cjiParameters: [String], summary: String, soapAliases: [String] = []
    ) {
        self.name = name
        self.soapName = soapName
        self.soapAliases = soapAliases
        self.httpEvents = httpEvents
        self.cjiName = cjiName
        self.soapParameters = soapParameters
        self.httpParameters = httpParameters
        self.cjiParameters = cjiParameters
        self.summary = summary
        var seen = Set<String>()
        self.allParameters = (soapParameters + httpParameters + cjiParameters).filter { $0 != "callbackFuc" && seen.insert($0).inserted }
        self.parameterNames = seen.subtracting(["callbackFuc"])
    }
}

/// Which interface a request came through; used in logs and metrics.
public enum Interface: String, Sendable, Hashable, CaseIterable {
    case soap
    case http
    case cji
}

/// A decoded request: the operation's parameters by wire name, whatever the interface.
public struct OperationRequest: Sendable {
    public var parameters: [String: String]
    public var interface: Interface
    /// The client's IP address ("" where unknown): the login throttle counts failures per address.
    public var clientAddress: String

    public init(parameters: [String: String], interface: Interface, clientAddress: String = "") {
        self.parameters = parameters
        self.interface = interface
        self.clientAddress = clientAddress
    }

    /// The parameter's value; a missing parameter is empty, as PHP's SoapServer made it.
    public subscript(_ name: String) -> String {
        parameters[name] ?? ""
    }

    /// The value trimmed of surrounding white space.
    public func trimmed(_ name: String) -> String {
        self[name].trimmingWhitespace()
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
