/// The one writer (and reader) of chapter-6 `key=value&key=value` lines: call events, agent
/// notifications and the system's `resync` line all go through it, so no value can add a key,
/// split a line or break the frame of the channel that carries it.
///
/// ```swift
/// EventLine.render([("source", "AGENT"), ("calleridnum", "138&activenum=9")], trailingSeparator: true)
/// // "source=AGENT&calleridnum=138%26activenum%3D9&"
/// EventLine.parse("source=AGENT&calleridnum=138%26activenum%3D9&")
/// // [("source", "AGENT"), ("calleridnum", "138&activenum=9")]
/// ```
///
/// Deployed pages split these lines on `&` and `=` and use most values as they are (the manual's
/// sample page never decodes), so the escape is deliberately minimal: only `%`, `&`, `=`, control
/// characters (C0, DEL, C1) and the Unicode line and paragraph separators become `%XX`. Every
/// value a real call produces (digits, channel names such as `SIP/8001-0000001a`, the
/// `YYYY-MM-DD hh:mm:ss` time) is written byte for byte as before; a hostile value is still one
/// value, and `parse` (or `decodeURIComponent`) gives it back exactly.
public enum EventLine {
    /// The line for `fields`, in order. Values of the `opaque` keys (`userdata`, a pause
    /// `reason`: text a client chose) are percent-encoded in full, RFC 3986's unreserved
    /// characters kept, as they always were; every other value is ``escape(_:)``d.
    public static func render(_ fields: [(String, String)], opaque: Set<String> = ["userdata"], trailingSeparator: Bool) -> String {
        var out = ""
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { out += "&" }
            out += escape(key)
            out += "="
            out += opaque.contains(key) ? encodeFully(value) : escape(value)
        }
        return trailingSeparator ? out + "&" : out
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    public static func encodeFully(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += percent(byte)
            }
        }
        return out
    }

    /// `value` with `%`, `&`, `=` and every line-breaking or control character percent-encoded.
    public static func escape(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: needsEscape) else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            if needsEscape(scalar) {
                for byte in String(scalar).utf8 { out += percent(byte) }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `line` with any CR, LF or NUL percent-encoded: what a frame writer (an SSE `data:` field,
    /// a `\r\n`-separated long-poll answer) applies to every stored line before it goes out.
    /// Lines this writer rendered never contain them; lines stored by an older version might.
    public static func singleLine(_ line: String) -> String {
        guard line.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }) else { return line }
        var out = ""
        for scalar in line.unicodeScalars {
            switch scalar {
            case "\n": out += "%0A"
            case "\r": out += "%0D"
            case "\u{0}": out += "%00"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The pairs of a line, values percent-decoded (the inverse of ``render(_:trailingSeparator:)``).
    /// `userdata`, which its writer percent-encodes in full, decodes to what the client sent.
    public static func parse(_ line: String) -> [(String, String)] {
        line.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            guard let eq = pair.firstIndex(of: "=") else { return (decode(pair), "") }
            return (decode(pair[..<eq]), decode(pair[pair.index(after: eq)...]))
        }
    }

    /// Percent-decodes `%XX` sequences; anything else (a lone `%`, bytes that are not UTF-8) is
    /// kept as it stands rather than dropped.
    public static func decode(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var utf8 = text.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            pending = [byte]
            guard let high = utf8.next() else {
                bytes += pending
                break
            }
            pending.append(high)
            guard let low = utf8.next() else {
                bytes += pending
                break
            }
            pending.append(low)
            if let h = hexValue(high), let l = hexValue(low) { bytes.append(h << 4 | l) } else { bytes += pending }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x25, 0x26, 0x3D: return true  // % & =
        case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func percent(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
