/// A body that passed every check made before libxml2: size, encoding, characters and the
/// markup limits. Only ``SOAPEnvelopeReader/screen(_:)`` makes one, so nothing unscreened is parsed.
public struct ScreenedEnvelope: Sendable {
    let bytes: [UInt8]
}

extension SOAPEnvelopeReader {
    /// The checks that run before libxml2, in one linear pass; cheap enough for the request's own
    /// thread. Throws the fault to answer.
    public func screen(_ body: [UInt8]) throws(SOAPFault) -> ScreenedEnvelope {
        guard !body.isEmpty else { throw SOAPFault(.client, "Empty request body") }
        guard body.count <= limits.maxBodyBytes else { throw SOAPFault(.client, "Request body larger than \(limits.maxBodyBytes) bytes") }
        if Self.hasMarkupDeclaration(body) { throw SOAPFault(.client, "DTD is not supported") }
        let scanner = SOAPMarkupScanner(limits: limits)
        switch try EnvelopeEncoding(sniffing: body) {
        case .bytes(let bom):
            let declared = try body.withUnsafeBufferPointer { buffer throws(SOAPFault) in
                try scanner.scan(UnsafeBufferPointer(rebasing: buffer[bom...]))
            }
            try EnvelopeEncoding.checkCharacters(body[bom...], declared: declared, hadBOM: bom > 0)
        case .utf16(let littleEndian, let bom):
            guard (body.count - bom) % 2 == 0 else { throw SOAPMarkupScanner.malformed("an odd number of bytes in UTF-16") }
            let units = stride(from: bom, to: body.count, by: 2).map { i in
                littleEndian ? UInt16(body[i]) | UInt16(body[i + 1]) << 8 : UInt16(body[i]) << 8 | UInt16(body[i + 1])
            }
            let declared = try units.withUnsafeBufferPointer { buffer throws(SOAPFault) in try scanner.scan(buffer) }
            let labels = ["utf-16", "utf16", littleEndian ? "utf-16le" : "utf-16be"]
            if let declared, !labels.contains(declared.lowercased()) { throw EnvelopeEncoding.unsupported(declared) }
            var decoder = UTF16()
            var iterator = units.makeIterator()
            try EnvelopeEncoding.checkScalars { decoder.decode(&iterator) }
        }
        return ScreenedEnvelope(bytes: body)
    }
}

/// How libxml2 will decode the body (XML 1.0, appendix F), and the encodings the scan can follow:
/// those where every ASCII code unit stands for itself. Stateful or non-ASCII encodings (UTF-7,
/// EBCDIC, ISO-2022) could spell `<` in a way the scan would not see, so they are refused.
enum EnvelopeEncoding {
    /// UTF-8, US-ASCII or ISO-8859-1, after a UTF-8 byte order mark of `bom` bytes.
    case bytes(bom: Int)
    case utf16(littleEndian: Bool, bom: Int)

    init(sniffing b: [UInt8]) throws(SOAPFault) {
        func starts(_ prefix: [UInt8]) -> Bool { b.starts(with: prefix) }
        if starts([0, 0, 0xFE, 0xFF]) || starts([0xFF, 0xFE, 0, 0]) || starts([0, 0, 0, 0x3C]) || starts([0x3C, 0, 0, 0]) {
            throw Self.unsupported("UTF-32")
        } else if starts([0xEF, 0xBB, 0xBF]) {
            self = .bytes(bom: 3)
        } else if starts([0xFF, 0xFE]) || starts([0xFE, 0xFF]) {
            self = .utf16(littleEndian: b[0] == 0xFF, bom: 2)
        } else if starts([0x3C, 0, 0x3F, 0]) || starts([0, 0x3C, 0, 0x3F]) {
            self = .utf16(littleEndian: b[0] == 0x3C, bom: 0)
        } else if starts([0x4C, 0x6F, 0xA7, 0x94]) {
            throw Self.unsupported("EBCDIC")
        } else {
            self = .bytes(bom: 0)
        }
    }

    static func unsupported(_ name: String) -> SOAPFault {
        SOAPFault(.client, "Bad Request: the encoding \(String(name.prefix(40))) is not supported; send UTF-8 (or UTF-16, ISO-8859-1)")
    }

    /// Every character must be one XML allows: libxml2 stops a comment or a name at any other,
    /// reports it and reads on from there as text, which the scan would not follow.
    static func checkCharacters(_ bytes: ArraySlice<UInt8>, declared: String?, hadBOM: Bool) throws(SOAPFault) {
        let name = declared?.lowercased()
        // A UTF-8 byte order mark with another label: libxml2 would switch decoders mid-way.
        if hadBOM, let name, name != "utf-8" && name != "utf8" { throw unsupported(name) }
        switch name {
        case nil, "utf-8", "utf8":
            var decoder = UTF8()
            var iterator = bytes.makeIterator()
            try checkScalars { decoder.decode(&iterator) }
        case "us-ascii", "ascii":
            guard bytes.allSatisfy({ $0 < 0x80 && isXMLChar(UInt32($0)) }) else {
                throw SOAPMarkupScanner.malformed("a character US-ASCII does not have")
            }
        case "iso-8859-1", "iso_8859-1", "latin1", "iso-latin-1":
            guard bytes.allSatisfy({ isXMLChar(UInt32($0)) }) else { throw SOAPMarkupScanner.malformed("a character XML does not allow") }
        default:
            throw unsupported(declared ?? "")
        }
    }

    static func checkScalars(_ next: () -> UnicodeDecodingResult) throws(SOAPFault) {
        while true {
            switch next() {
            case .scalarValue(let scalar):
                guard isXMLChar(scalar.value) else { throw SOAPMarkupScanner.malformed("a character XML does not allow") }
            case .emptyInput: return
            case .error: throw SOAPMarkupScanner.malformed("bytes that are not valid in its encoding")
            }
        }
    }

    /// XML 1.0's `Char`: tab, newline, carriage return, and the rest of Unicode but the C0
    /// controls, surrogates, U+FFFE and U+FFFF.
    static func isXMLChar(_ u: UInt32) -> Bool {
        u == 0x09 || u == 0x0A || u == 0x0D || (0x20...0xD7FF).contains(u) || (0xE000...0xFFFD).contains(u)
            || (0x10000...0x10FFFF).contains(u)
    }
}
