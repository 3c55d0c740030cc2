/// The ASCII code units the markup scan looks at; any other unit is content to it.
enum Ascii {
    static let tab: UInt32 = 0x09, lf: UInt32 = 0x0A, cr: UInt32 = 0x0D, space: UInt32 = 0x20
    static let bang: UInt32 = 0x21, quote: UInt32 = 0x22, apostrophe: UInt32 = 0x27, slash: UInt32 = 0x2F
    static let colon: UInt32 = 0x3A, lt: UInt32 = 0x3C, equals: UInt32 = 0x3D, gt: UInt32 = 0x3E, question: UInt32 = 0x3F

    static func isSpace(_ u: UInt32) -> Bool { u == space || u == lf || u == cr || u == tab }
    static func isLetter(_ u: UInt32) -> Bool { (u | 0x20) >= 0x61 && (u | 0x20) <= 0x7A }
    static func isDigit(_ u: UInt32) -> Bool { u >= 0x30 && u <= 0x39 }
    /// Letters, `_`, `:`, and anything outside ASCII (its validity is libxml2's to judge; an
    /// invalid one only makes libxml2 stop earlier than this scan).
    static func isNameStart(_ u: UInt32) -> Bool { isLetter(u) || u == 0x5F || u == colon || u >= 0x80 }
    static func isNameChar(_ u: UInt32) -> Bool { isNameStart(u) || isDigit(u) || u == 0x2D || u == 0x2E }
}

extension MarkupCursor {
    /// `<?xml version="1.0" encoding="..." standalone="..."?>`, read as strictly as the grammar
    /// (XML 1.0, 2.8): after a mistake in it libxml2 skips to the next `>`, which would hide what
    /// follows from this scan. Answers the encoding it names.
    mutating func xmlDeclaration() throws(SOAPFault) -> String? {
        index += 5
        let version = try pseudoAttribute("version")
        guard version.hasPrefix("1."), version.count > 2, version.utf8.dropFirst(2).allSatisfy({ Ascii.isDigit(UInt32($0)) }) else {
            throw SOAPMarkupScanner.malformed("an unsupported XML version")
        }
        var encoding: String?
        if upcoming("encoding") {
            let name = try pseudoAttribute("encoding")
            guard let first = name.utf8.first, Ascii.isLetter(UInt32(first)),
                name.utf8.allSatisfy({ Ascii.isNameChar(UInt32($0)) && $0 != 0x3A && $0 < 0x80 })
            else { throw SOAPMarkupScanner.malformed("an invalid encoding name") }
            encoding = name
        }
        if upcoming("standalone") {
            guard ["yes", "no"].contains(try pseudoAttribute("standalone")) else {
                throw SOAPMarkupScanner.malformed("a broken XML declaration")
            }
        }
        skipSpace()
        guard starts(with: "?>") else { throw SOAPMarkupScanner.malformed("a broken XML declaration") }
        index += 2
        return encoding
    }

    /// True when `name` follows after white space.
    private func upcoming(_ name: StaticString) -> Bool {
        var probe = self
        return probe.skipSpace() && probe.starts(with: name)
    }

    /// ` name = "value"`; the value is short printable ASCII in a declaration.
    private mutating func pseudoAttribute(_ name: StaticString) throws(SOAPFault) -> String {
        guard skipSpace(), starts(with: name) else { throw SOAPMarkupScanner.malformed("a broken XML declaration") }
        index += name.utf8CodeUnitCount
        skipSpace()
        guard peek() == Ascii.equals else { throw SOAPMarkupScanner.malformed("a broken XML declaration") }
        index += 1
        skipSpace()
        let quote = peek()
        guard quote == Ascii.quote || quote == Ascii.apostrophe else { throw SOAPMarkupScanner.malformed("a broken XML declaration") }
        index += 1
        var value: [UInt8] = []
        while !atEnd && peek() != quote {
            guard peek() > Ascii.space, peek() < 0x7F, value.count < 64 else {
                throw SOAPMarkupScanner.malformed("a broken XML declaration")
            }
            value.append(UInt8(peek()))
            index += 1
        }
        guard !atEnd else { throw SOAPMarkupScanner.malformed("a broken XML declaration") }
        index += 1
        return String(decoding: value, as: UTF8.self)
    }
}
