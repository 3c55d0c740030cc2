/// How much structure a SOAP envelope may have before libxml2 is allowed to see it.
///
/// Real CTI requests are about 0.5 KB: an Envelope with a handful of namespace declarations, a
/// Body, one operation element and its flat arguments. The defaults leave room for SOAP headers
/// (WS-Security, WS-Addressing) and still keep every parse small, whatever the body.
public struct SOAPLimits: Sendable, Equatable {
    /// Bytes of one request body.
    public var maxBodyBytes: Int
    /// Attributes of one start tag, namespace declarations included. libxml2 2.9 checks each
    /// new attribute against all earlier ones of the element, so this bounds a quadratic loop.
    public var maxAttributesPerElement: Int
    /// `xmlns` / `xmlns:p` declarations of one start tag (also checked pairwise by libxml2).
    public var maxNamespaceDeclarationsPerElement: Int
    /// Elements open at once: `Envelope/Body/operation/argument` is 4.
    public var maxDepth: Int

    public init(
        maxBodyBytes: Int = 64 * 1024, maxAttributesPerElement: Int = 32, maxNamespaceDeclarationsPerElement: Int = 16, maxDepth: Int = 32
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxAttributesPerElement = maxAttributesPerElement
        self.maxNamespaceDeclarationsPerElement = maxNamespaceDeclarationsPerElement
        self.maxDepth = maxDepth
    }
}
