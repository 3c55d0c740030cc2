import CoccSOAP
import Foundation
import Testing

/// The markup scan that runs before libxml2: what it counts, what it must not count (text,
/// comments, CDATA, quoted values), and the tricks that would let markup slip past it. Each
/// refusal is checked to leave the reader's parse counter where it was.
@Suite("SOAP markup scan")
struct SOAPMarkupScanTests {
    static let ns1 = "xmlns:ns1=\"urn:coccwi\""

    static func envelope(_ inner: String) -> [UInt8] { Array(Envelope.soap11(inner).utf8) }

    static func element(attributes: Int) -> String {
        "<ns1:login \(ns1)" + (1..<max(1, attributes)).map { " a\($0)=\"v\"" }.joined() + ">\(Envelope.login8001)</ns1:login>"
    }

    /// The fault message, and that the body never reached libxml2.
    static func refusal(_ body: [UInt8], limits: SOAPLimits = SOAPLimits()) -> String? {
        let reader = SOAPEnvelopeReader(limits: limits)
        defer { #expect(reader.parses == 0, "a refused body reached libxml2") }
        do {
            _ = try reader.screen(body)
            return nil
        } catch {
            return error.message
        }
    }

    @Test
    func limitsAreExact() throws {
        let reader = SOAPEnvelopeReader()
        // 32 attributes (one is the namespace declaration) pass and parse; 33 do not.
        #expect(try reader.read(Self.envelope(Self.element(attributes: 32))).operation == "login")
        #expect(reader.parses == 1)
        #expect(Self.refusal(Self.envelope(Self.element(attributes: 33))) == "Bad Request: an element has more than 32 attributes")
        let tight = SOAPLimits(maxAttributesPerElement: 4, maxNamespaceDeclarationsPerElement: 2, maxDepth: 5)
        #expect(
            Self.refusal(Self.envelope("<a x=\"1\" y='2' z = \"3\" w=\"4\"\tv=\"5\"/>"), limits: tight)?.contains("more than 4 attributes")
                == true)
        #expect(
            Self.refusal(Self.envelope("<a xmlns=\"u:a\" xmlns:b=\"u:b\" xmlns:c=\"u:c\"/>"), limits: tight)?.contains(
                "more than 2 namespace") == true)
        // Envelope, Body, a, b, c is 5 deep; one more is too deep.
        #expect(Self.refusal(Self.envelope("<a><b><c/></b></a>"), limits: tight) == nil)
        #expect(
            Self.refusal(Self.envelope("<a><b><c><d/></c></b></a>"), limits: tight) == "Bad Request: elements nested deeper than 5 levels")
        #expect(Self.refusal(Array("x".utf8), limits: SOAPLimits(maxBodyBytes: 0)) == "Request body larger than 0 bytes")
    }

    /// Attribute-like text where XML says it is not markup is not counted.
    @Test
    func textCommentsCDATAAndValuesAreNotMarkup() throws {
        let many = (0..<100).map { "b\($0)=\"x\"" }.joined(separator: " ")
        let bodies = [
            "<!-- <op \(many)> --><ns1:login \(Self.ns1)>\(Envelope.login8001)</ns1:login>",
            "<ns1:login \(Self.ns1)><lang><![CDATA[<op \(many)> ]] > ]]></lang>\(Envelope.login8001)</ns1:login>",
            "<?php <op \(many)> ?><ns1:login \(Self.ns1) note='\(many.replacingOccurrences(of: "\"", with: "&quot;"))' t=\">\">\(Envelope.login8001)</ns1:login>",
            "<ns1:login \(Self.ns1)><lang>\(many.replacingOccurrences(of: "\"", with: "")) &gt; a=b</lang>\(Envelope.login8001)</ns1:login>",
        ]
        for body in bodies {
            let reader = SOAPEnvelopeReader()
            #expect(try reader.read(Self.envelope(body)).operation == "login", "\(body.prefix(40))")
            #expect(reader.parses == 1)
        }
    }

    /// Ways to show libxml2 a start tag the scan would read as something else; each is refused.
    @Test(arguments: [
        ("a PI without a target", "<?xml version=\"1.0\"?><? <op a=\"\" b=\"\"> ?><e/>", "not well-formed"),
        ("a late XML declaration", "<e/><?xml version=\"1.0\"?>", "not well-formed"),
        ("a sloppy XML declaration", "<?xml version=\"1.0\" > <op a=\"\" b=\"\"> ?><e/>", "not well-formed"),
        ("an unknown pseudo-attribute", "<?xml version=\"1.0\" x=\"y\"?><e/>", "not well-formed"),
        ("a control character in a comment", "<e><!-- \u{1} <op a=\"\" b=\"\"> --></e>", "not well-formed"),
        ("U+FFFF in a comment", "<e><!-- \u{FFFF} <op a=\"\" b=\"\"> --></e>", "not well-formed"),
        ("a '<' in an attribute value", "<e x=\"<op a='' b=''>\"/>", "not well-formed"),
        ("an attribute without a space", "<e x=\"1\"y=\"2\"/>", "not well-formed"),
        ("an invalid element name", "< op a=\"\" b=\"\"/>", "not well-formed"),
        ("an unterminated comment", "<e/><!-- ", "not well-formed"),
        ("an end tag with attributes", "<e></e a=\"\">", "not well-formed"),
        ("UTF-7", "<?xml version=\"1.0\" encoding=\"UTF-7\"?><e/>", "encoding UTF-7 is not supported"),
        (
            "a label that contradicts the BOM", "\u{FEFF}<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><e/>",
            "encoding iso-8859-1 is not supported"
        ),
    ])
    func evasionsAreRefused(_ name: String, _ body: String, _ fault: String) throws {
        let message = Self.refusal(Array(body.utf8), limits: SOAPLimits(maxAttributesPerElement: 1))
        #expect(message?.contains(fault) == true, "\(name): \(message ?? "accepted")")
    }

    @Test
    func encodingsTheScanCannotFollowAreRefused() {
        #expect(Self.refusal([0x4C, 0x6F, 0xA7, 0x94, 0x93, 0x40])?.contains("EBCDIC") == true)
        #expect(Self.refusal([0x3C, 0, 0, 0, 0x3F, 0, 0, 0])?.contains("UTF-32") == true)
        #expect(Self.refusal([0x3C, 0x65, 0x3E, 0xFF, 0x3C, 0x2F, 0x65, 0x3E])?.contains("not valid in its encoding") == true)
    }

    /// UTF-16 is decoded, not skimmed: a bomb in it is counted like one in UTF-8.
    @Test
    func utf16IsScannedAsCharacters() throws {
        func utf16(_ text: String) -> [UInt8] { [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        let prolog = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
        let body =
            prolog
            + Envelope.soap11(Self.element(attributes: 3)).replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")
        let reader = SOAPEnvelopeReader()
        #expect(try reader.read(utf16(body)).operation == "login")
        #expect(Self.refusal(utf16(body), limits: SOAPLimits(maxAttributesPerElement: 2))?.contains("more than 2 attributes") == true)
    }
}
