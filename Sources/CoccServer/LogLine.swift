public import Logging

/// The one writer of coccd's log lines: `time level label: key=value ... [source] message`.
///
/// Values come from clients (a `user`, an unknown `EVENT`, a fault's reason), so each is written
/// so it cannot start a new line or pose as another field: a value with a space, a quote, a
/// backslash, `=` or any control character is quoted with `\"`, `\\`, `\n`, `\r`, `\t` and `\u{XX}`
/// escapes, and any value longer than ``maxValueLength`` characters is cut and marked with its
/// full length, so a 256 KB parameter costs one short line.
///
/// ```swift
/// LogLine.render(time: "…", level: .notice, label: "coccd", metadata: ["event": "X\nfake"], source: "CoccServer", message: "unknown EVENT")
/// // "… notice coccd: event=\"X\\nfake\" [CoccServer] unknown EVENT"
/// ```
public enum LogLine {
    public static let maxValueLength = 256

    public static func render(
        time: String, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> String {
        let fields = metadata.sorted { $0.key < $1.key }.map { "\(value($0.key, quoting: false))=\(value("\($0.value)"))" }.joined(
            separator: " ")
        return "\(time) \(level) \(label):\(fields.isEmpty ? "" : " " + fields) [\(source)] \(value(message, quoting: false))"
    }

    /// `text` cut to ``maxValueLength`` and, where `quoting` and it needs it, quoted. Unquoted text
    /// (a key, the message) still has every control character escaped.
    public static func value(_ text: String, quoting: Bool = true) -> String {
        var text = Substring(text)
        var suffix = ""
        if text.count > maxValueLength {
            suffix = "…(\(text.utf8.count) bytes)"
            text = text.prefix(maxValueLength)
        }
        let plain = text.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value) && scalar != "\u{2028}"
                && scalar != "\u{2029}"
                && !(quoting && (scalar == " " || scalar == "\"" || scalar == "\\" || scalar == "="))
        }
        if plain { return text + suffix }
        var out = quoting ? "\"" : ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where quoting: out += "\\\""
            case "\\" where quoting: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}":
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + suffix + (quoting ? "\"" : "")
    }
}
