/// Wire renderings of a reply. SOAP and HTTP share the `|Retuen|` string; the CJI gets an object.
extension Reply {
    /// The string SOAP returns in `<return>` and HTTP returns as its whole body.
    ///
    /// Deployed pages split it on `|Retuen|` and require exactly three parts for most
    /// operations, so nothing is added beyond what the manual prints: no newline, no spaces.
    public func retuenString(style: MessageStyle) -> String {
        let message = self.message.render(style)
        switch format {
        case .pipe:
            return "\(code == 1 ? 1 : 0)|\(message)"
        case .retuen, .pipeOnSOAP:
            var out = "|Retuen|\(code)|Retuen|\(message)"
            if let extra { out += "|Retuen|\(extra.value)" }
            return out
        }
    }

    /// The string SOAP returns in `<return>`: as HTTP's, except where the manual gives SOAP its
    /// own `1|...` form.
    public func soapString(style: MessageStyle) -> String {
        guard format == .pipeOnSOAP else { return retuenString(style: style) }
        return "\(code == 1 ? 1 : 0)|\(message.render(style))"
    }

    /// The JSON object handed to a CJI `callbackFuc`: `{"code":1,"message":"...","param":"..."}`.
    public func cjiJSON(style: MessageStyle) -> String {
        var out = "{\"code\":\(cjiCode ?? code),\"message\":\(JSONString.quote(message.render(style)))"
        if let extra {
            out += ",\(JSONString.quote(extra.cjiKey)):\(JSONString.quote(extra.value))"
        }
        return out + "}"
    }
}

/// Minimal JSON string quoting (RFC 8259), safe to embed in a `<script>` answer.
public enum JSONString {
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Escaped so that a JSONP body can never close a script element or start a comment.
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
