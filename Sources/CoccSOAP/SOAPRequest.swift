public import CoccOperations

/// A decoded SOAP call: the operation element and its arguments, in document order.
public struct SOAPRequest: Sendable, Equatable {
    public var version: SOAPVersion
    /// Local name of the Body's first element child.
    public var operation: String
    /// Its namespace, echoed on the response so stubs of the old WSDL bind unchanged.
    public var namespace: String?
    public var arguments: [(name: String, value: String)]

    public static func == (a: SOAPRequest, b: SOAPRequest) -> Bool {
        a.version == b.version && a.operation == b.operation && a.namespace == b.namespace
            && a.arguments.map(\.name) == b.arguments.map(\.name) && a.arguments.map(\.value) == b.arguments.map(\.value)
    }

    /// Arguments by parameter name, as PHP's SoapServer matched them: by local name when any
    /// argument carries a parameter's name (extras such as `lang` are kept by name); by position
    /// when none does, as non-WSDL clients send `param0`, `param1`, ... Missing parameters stay
    /// absent, which handlers read as empty.
    public func parameters(for descriptor: OperationDescriptor) -> [String: String] {
        let known = descriptor.parameterNames
        var out: [String: String] = [:]
        if arguments.contains(where: { known.contains($0.name) }) {
            for argument in arguments where out[argument.name] == nil {
                out[argument.name] = argument.value
            }
        } else {
            for (index, argument) in arguments.enumerated() {
                let name = index < descriptor.soapParameters.count ? descriptor.soapParameters[index] : argument.name
                out[name] = argument.value
            }
        }
        return out
    }
}
