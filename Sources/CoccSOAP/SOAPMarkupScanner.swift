/// One linear pass over an envelope's markup, run before libxml2 sees it: counts attributes and
/// namespace declarations per start tag and open elements, and refuses what is over the limits.
///
/// It is a tokenizer, not a filter for suspicious bytes, and a strict one: wherever libxml2 would
/// report an error and carry on from a different place (a `<` inside an attribute value, a
/// processing instruction without a target, a sloppy XML declaration), it refuses the body. So
/// every start tag libxml2 will read is one this scan has counted.
struct SOAPMarkupScanner {
    let limits: SOAPLimits

    /// Scans the code units (bytes of an ASCII-compatible encoding, or UTF-16 units) and
    /// answers the encoding the XML declaration names, if any.
    func scan<Unit: FixedWidthInteger & UnsignedInteger>(_ units: UnsafeBufferPointer<Unit>) throws(SOAPFault) -> String? {
        var c = MarkupCursor(units: units)
        var declaredEncoding: String?
        if c.starts(with: "<?xml"), Ascii.isSpace(c.peek(5)) {
            declaredEncoding = try c.xmlDeclaration()
        }
        var depth = 0
        var elements = 0
        while !c.atEnd {
            guard c.peek() == Ascii.lt else {
                c.index += 1
                continue
            }
            switch c.peek(1) {
            case Ascii.question: try c.processingInstruction()
            case Ascii.bang: try c.commentOrCDATA()
            case Ascii.slash:
                try c.endTag()
                depth -= 1
                guard depth >= 0 else { throw Self.malformed("an end tag without a start tag") }
            default:
                elements += 1
                // An empty element (`<a/>`) is one level deeper too, as libxml2 counts it.
                guard depth < limits.maxDepth else {
                    throw SOAPFault(.client, "Bad Request: elements nested deeper than \(limits.maxDepth) levels")
                }
                if try startTag(&c) { depth += 1 }
            }
        }
        // Cheap to tell here, and then libxml2 need not be asked.
        guard elements > 0 else { throw Self.malformed("no element") }
        guard depth == 0 else { throw Self.malformed("unclosed elements") }
        return declaredEncoding
    }

    /// Reads `<name attr="v" ...>` or `.../>`, counting as it goes; true when the element stays open.
    private func startTag<Unit>(_ c: inout MarkupCursor<Unit>) throws(SOAPFault) -> Bool {
        c.index += 1
        // libxml2 reads an invalid name start as text and resumes after the `<`: refuse instead.
        guard Ascii.isNameStart(c.peek()) else { throw Self.malformed("an invalid element name") }
        c.skipName()
        var attributes = 0
        var namespaces = 0
        while true {
            let spaced = c.skipSpace()
            switch c.peek() {
            case Ascii.gt:
                c.index += 1
                return true
            case Ascii.slash where c.peek(1) == Ascii.gt:
                c.index += 2
                return false
            default: break
            }
            guard spaced, Ascii.isNameStart(c.peek()) else { throw Self.malformed("a broken start tag") }
            let nameStart = c.index
            c.skipName()
            if c.isNamespaceDeclaration(from: nameStart) { namespaces += 1 }
            attributes += 1
            // Stop at the first one over the limit: the scan's own work stays bounded too.
            guard attributes <= limits.maxAttributesPerElement else {
                throw SOAPFault(.client, "Bad Request: an element has more than \(limits.maxAttributesPerElement) attributes")
            }
            guard namespaces <= limits.maxNamespaceDeclarationsPerElement else {
                let limit = limits.maxNamespaceDeclarationsPerElement
                throw SOAPFault(.client, "Bad Request: an element has more than \(limit) namespace declarations")
            }
            _ = c.skipSpace()
            guard c.peek() == Ascii.equals else { throw Self.malformed("an attribute without a value") }
            c.index += 1
            _ = c.skipSpace()
            try c.quotedValue()
        }
    }

    static func malformed(_ what: String) -> SOAPFault {
        SOAPFault(.client, "Bad Request: the body is not well-formed XML (\(what))")
    }
}

/// A position in the code units, with the few reads the scan needs.
struct MarkupCursor<Unit: FixedWidthInteger & UnsignedInteger> {
    let units: UnsafeBufferPointer<Unit>
    var index = 0

    var atEnd: Bool { index >= units.count }

    /// The unit `offset` ahead; 0 past the end (0 never passes the character check).
    func peek(_ offset: Int = 0) -> UInt32 {
        let k = index + offset
        return k < units.count ? UInt32(units[k]) : 0
    }

    func starts(with text: StaticString, at offset: Int = 0) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + offset + count <= units.count else { return false }
        return (0..<count).allSatisfy { UInt32(units[index + offset + $0]) == UInt32(text.utf8Start[$0]) }
    }

    /// Moves past the next `terminator`; false (at the end) when there is none.
    mutating func skip(past terminator: StaticString) -> Bool {
        while !atEnd {
            if starts(with: terminator) {
                index += terminator.utf8CodeUnitCount
                return true
            }
            index += 1
        }
        return false
    }

    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = index
        while Ascii.isSpace(peek()) { index += 1 }
        return index > start
    }

    mutating func skipName() {
        while !atEnd && Ascii.isNameChar(peek()) { index += 1 }
    }

    /// `xmlns` or `xmlns:prefix`, the name just read from `start`.
    func isNamespaceDeclaration(from start: Int) -> Bool {
        let length = index - start
        var probe = self
        probe.index = start
        return probe.starts(with: "xmlns") && (length == 5 || probe.peek(5) == Ascii.colon)
    }

    /// `"..."` or `'...'`; a `<` inside ends libxml2's tag early, so it is refused.
    mutating func quotedValue() throws(SOAPFault) {
        let quote = peek()
        guard quote == Ascii.quote || quote == Ascii.apostrophe else { throw SOAPMarkupScanner.malformed("an unquoted attribute value") }
        index += 1
        while !atEnd && peek() != quote {
            guard peek() != Ascii.lt else { throw SOAPMarkupScanner.malformed("a '<' in an attribute value") }
            index += 1
        }
        guard !atEnd else { throw SOAPMarkupScanner.malformed("an unterminated attribute value") }
        index += 1
    }

    /// `</name>`, with optional space before the `>` and nothing else.
    mutating func endTag() throws(SOAPFault) {
        index += 2
        guard Ascii.isNameStart(peek()) else { throw SOAPMarkupScanner.malformed("an invalid end tag") }
        skipName()
        skipSpace()
        guard peek() == Ascii.gt else { throw SOAPMarkupScanner.malformed("an invalid end tag") }
        index += 1
    }

    /// `<?target ...?>`. A PI with no target, or one named `xml` after the start, is refused:
    /// libxml2 would report it and read on from inside it.
    mutating func processingInstruction() throws(SOAPFault) {
        index += 2
        let namedXML = peek() | 0x20 == 0x78 && peek(1) | 0x20 == 0x6D && peek(2) | 0x20 == 0x6C && !Ascii.isNameChar(peek(3))
        guard Ascii.isNameStart(peek()), !namedXML else {
            throw SOAPMarkupScanner.malformed("a processing instruction without a valid target")
        }
        skipName()
        guard Ascii.isSpace(peek()) || starts(with: "?>") else { throw SOAPMarkupScanner.malformed("a broken processing instruction") }
        guard skip(past: "?>") else { throw SOAPMarkupScanner.malformed("an unterminated processing instruction") }
    }

    /// `<!--...-->` or `<![CDATA[...]]>`; any other `<!` is a markup declaration.
    mutating func commentOrCDATA() throws(SOAPFault) {
        if starts(with: "<!--") {
            index += 4
            guard skip(past: "-->") else { throw SOAPMarkupScanner.malformed("an unterminated comment") }
        } else if starts(with: "<![CDATA[") {
            index += 9
            guard skip(past: "]]>") else { throw SOAPMarkupScanner.malformed("an unterminated CDATA section") }
        } else if Ascii.isLetter(peek(2)) {
            throw SOAPFault(.client, "DTD is not supported")
        } else {
            throw SOAPMarkupScanner.malformed("a broken '<!' construct")
        }
    }
}
