import CLibXML2
import Synchronization

/// Reads SOAP envelopes with the system libxml2, configured so hostile input cannot hurt:
/// no network, no DTD loading, no entity substitution, a deny-all external entity loader,
/// any document type declaration refused before its content is touched, a markup scan that
/// refuses bodies over ``SOAPLimits`` before libxml2 sees them, and a bound on how many parses
/// run at once (a DOM costs about 34 times the body).
///
/// ```swift
/// let reader = SOAPEnvelopeReader(limits: SOAPLimits(), maxConcurrentParses: 8)
/// let request = try reader.read(bodyBytes)     // throws SOAPFault
/// // or in two steps, the parse elsewhere: reader.parse(try reader.screen(bodyBytes))
/// ```
public final class SOAPEnvelopeReader: Sendable {
    private let inFlight = Mutex(0)
    private let parseCount = Atomic(0)
    public let maxConcurrentParses: Int
    public let limits: SOAPLimits
    private let onParse: @Sendable () -> Void

    /// `onParse` runs each time a body is handed to libxml2 (the server counts them in `/metrics`).
    public init(limits: SOAPLimits = SOAPLimits(), maxConcurrentParses: Int = 16, onParse: @escaping @Sendable () -> Void = {}) {
        Self.setUp
        self.limits = limits
        self.maxConcurrentParses = maxConcurrentParses
        self.onParse = onParse
    }

    /// How many bodies this reader has handed to libxml2: a probe for tests and metrics that a
    /// refusal happened before the parser built anything.
    public var parses: Int { parseCount.load(ordering: .relaxed) }

    /// libxml2's global set-up, once per process and before any parse; never cleaned up.
    private static let setUp: Void = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()

    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// Screens and decodes one envelope.
    public func read(_ body: [UInt8]) throws(SOAPFault) -> SOAPRequest {
        try parse(screen(body))
    }

    /// Decodes one screened envelope. Synchronous on purpose: libxml2 keeps error state per thread.
    public func parse(_ screened: ScreenedEnvelope) throws(SOAPFault) -> SOAPRequest {
        let body = screened.bytes
        let admitted = inFlight.withLock { count in
            guard count < maxConcurrentParses else { return false }
            count += 1
            return true
        }
        guard admitted else { throw SOAPFault(.server, "Server busy, try again") }
        defer { inFlight.withLock { $0 -= 1 } }

        parseCount.add(1, ordering: .relaxed)
        onParse()
        guard
            let doc = body.withUnsafeBufferPointer({ buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlReadMemory($0, Int32(buffer.count), "request.xml", nil, Self.options)
                }
            })
        else {
            throw SOAPFault(.client, "Bad Request: the body is not well-formed XML")
        }
        defer { xmlFreeDoc(doc) }
        // Belt and braces: a declaration the scans missed still ends here.
        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil { throw SOAPFault(.client, "DTD is not supported") }
        guard let root = xmlDocGetRootElement(doc), Self.localName(root) == "Envelope" else {
            throw SOAPFault(.client, "Bad Request: no SOAP Envelope")
        }
        guard let version = SOAPVersion(namespace: Self.namespace(root) ?? "") else {
            throw SOAPFault(.versionMismatch, "Wrong Version: the Envelope is not in a SOAP 1.1 or 1.2 namespace")
        }
        guard
            let bodyElement = Self.elementChildren(root).first(where: {
                Self.localName($0) == "Body" && Self.namespace($0) == version.namespace
            })
        else {
            throw SOAPFault(.client, "Bad Request: no SOAP Body", version: version)
        }
        guard let call = Self.elementChildren(bodyElement).first else {
            throw SOAPFault(.client, "Bad Request: the SOAP Body is empty", version: version)
        }
        let arguments = Self.elementChildren(call).map { (name: Self.localName($0), value: Self.textValue($0)) }
        return SOAPRequest(version: version, operation: Self.localName(call), namespace: Self.namespace(call), arguments: arguments)
    }

    /// True when the bytes hold `<!` followed by a letter: DOCTYPE, ENTITY, ELEMENT, ...
    /// Comments (`<!--`) and CDATA (`<![CDATA[`) are allowed. NUL bytes are skipped, so the
    /// same declaration written in UTF-16 or UTF-32 is found as well.
    static func hasMarkupDeclaration(_ body: [UInt8]) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in body where byte != 0 {
            let folded = byte | 0x20
            if previous == (UInt8(ascii: "<"), UInt8(ascii: "!")) && folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z") {
                return true
            }
            previous = (previous.1, byte)
        }
        return false
    }

    static func localName(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    static func namespace(_ node: xmlNodePtr) -> String? {
        node.pointee.ns?.pointee.href.map { String(cString: $0) }
    }

    static func elementChildren(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { out.append(c) }
            child = c.pointee.next
        }
        return out
    }

    /// The element's text; `xsi:nil="true"` reads as empty.
    static func textValue(_ node: xmlNodePtr) -> String {
        if let nilValue = xmlGetNsProp(node, "nil", "http://www.w3.org/2001/XMLSchema-instance") {
            defer { cocc_xml_free(nilValue) }
            if String(cString: nilValue) == "true" { return "" }
        }
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { cocc_xml_free(content) }
        return String(cString: content)
    }
}
