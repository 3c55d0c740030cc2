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

    /// Arguments by parameter name, as PHP's SoapServer matched them: by local name first;
    /// an argument whose name is no parameter of the operation (`param0`, `arg1`, ...) fills
    /// the parameter at its position. Missing parameters stay absent (empty); extras are kept
    /// by name and otherwise ignored.
    public func parameters(for descriptor: OperationDescriptor) -> [String: String] {
        let known = Set(descriptor.allParameters)
        var out: [String: String] = [:]
        for (index, argument) in arguments.enumerated() {
            if known.contains(argument.name) {
                out[argument.name] = argument.value
            } else if index < descriptor.soapParameters.count, out[descriptor.soapParameters[index]] == nil {
                out[descriptor.soapParameters[index]] = argument.value
            } else {
                out[argument.name] = argument.value
            }
        }
        return out
    }
}
