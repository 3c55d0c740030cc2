import CoccOperations
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The form of each line of a long-poll answer. Two kinds of deployed pages poll the same
/// protocol (compat-notes §1):
/// - the manual's `cocc_nginx_http_push.js` hands each line to `sonAccept` as the chapter-6
///   `key=value&key=value&` string (``message``, the default);
/// - the vendor's astcc_CJI.js build reads each line as a JSON object written with single
///   quotes and replaces `'` with `"` before `JSON.parse` (``json``).
/// A page asks for JSON with `?format=json` or an `Accept` whose first type is
/// `application/json`; `pushLineFormat` in the configuration changes the default for
/// deployments whose pages cannot be changed.
enum PushLineFormat: String, Sendable {
    case message
    case json

    static func requested(query: FlatDictionary<Substring, Substring>, accept: String?, default fallback: PushLineFormat) -> PushLineFormat
    {
        if let asked = query["format"].map(String.init) {
            return PushLineFormat(rawValue: asked == "kv" ? "message" : asked) ?? fallback
        }
        if let accept, accept.split(separator: ",").first?.hasPrefix("application/json") == true {
            return .json
        }
        return fallback
    }

    /// One line of a `\r\n`-separated answer: never a raw line break, whatever was stored.
    func render(_ message: String) -> String {
        switch self {
        case .message: return EventLine.singleLine(message)
        case .json: return Self.singleQuotedJSON(message)
        }
    }

    /// `calleridnum=8001&event=ringing&` → `{'calleridnum':'8001','event':'ringing'}`: the same
    /// keys in the same order with the same values (userdata stays percent-encoded, as in the
    /// `key=value` form). Quotes and backslashes inside values are written as `\u0027`, `\u0022`
    /// and `\\`, so the client's blanket `'` → `"` replacement still leaves valid JSON that
    /// decodes to the original text.
    static func singleQuotedJSON(_ message: String) -> String {
        var out = "{"
        var first = true
        for part in message.split(separator: "&", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let eq = part.firstIndex(of: "=") {
                key = part[..<eq]
                value = part[part.index(after: eq)...]
            } else {
                key = part
                value = ""
            }
            if !first { out += "," }
            first = false
            out += "'" + escape(key) + "':'" + escape(value) + "'"
        }
        return out + "}"
    }

    static func escape(_ text: Substring) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": out += "\\u0027"
            case "\"": out += "\\u0022"
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
