/// A return-message code of the manual's appendix 8.2, with its optional run-time argument.
///
/// On the wire a reply carries `BackMsg_NN` (the form `groupStatusNum` documents), or the text
/// in Chinese or English when the server or the request asks for it:
/// ```swift
/// let m = BackMessage.callFailedStatus("busy")
/// m.render(.code)          // "BackMsg_17[busy]"
/// m.render(.text(.en))     // "Call failed: the agent's current status is [busy]. ..."
/// ```
public struct BackMessage: Sendable, Hashable {
    /// The number as written after `BackMsg_`: two digits below 10 (`"04"`), else as is.
    public let number: String
    /// The value that fills the table's `[...]` placeholder, if any.
    public let argument: String?

    public init(_ number: String, argument: String? = nil) {
        self.number = number
        self.argument = argument
    }

    /// The same message with its placeholder filled.
    public func with(_ argument: String) -> BackMessage { BackMessage(number, argument: argument) }

    /// `BackMsg_NN`, with `[argument]` appended when there is one.
    public var code: String {
        if let argument { return "BackMsg_\(number)[\(argument)]" }
        return "BackMsg_\(number)"
    }

    /// The message in the given style.
    public func render(_ style: MessageStyle) -> String {
        switch style {
        case .code: return code
        case .text(let language):
            guard let entry = Self.table[number] else { return code }
            let text = language == .cn ? entry.cn : entry.en
            return Self.fill(text, with: argument)
        }
    }

    /// Replaces the first `[...]` placeholder by `[argument]`; appends it when the text has none.
    static func fill(_ text: String, with argument: String?) -> String {
        guard let argument else {
            return text
        }
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else {
            return "\(text)[\(argument)]"
        }
        var out = text
        out.replaceSubrange(open...close, with: "[\(argument)]")
        return out
    }

    /// Every code of the table, in numeric order.
    public static var allNumbers: [String] {
        table.keys.sorted { Int($0)! < Int($1)! }
    }
}

/// How a reply's message is written: the bare code, or its text in a language.
public enum MessageStyle: Sendable, Hashable {
    case code
    case text(MessageLanguage)

    /// The style for a request: a non-empty `lang` parameter asks for text (`cn`, else `en`);
    /// without one the server's setting applies.
    public static func resolve(serverDefault: MessageStyle, requestLanguage: String?) -> MessageStyle {
        guard let lang = requestLanguage?.lowercased(), !lang.isEmpty else { return serverDefault }
        return .text(MessageLanguage(code: lang))
    }
}

/// The languages the message table carries. The manual's other codes (jp, kr, ...) fall back to English.
public enum MessageLanguage: String, Sendable, Hashable, CaseIterable {
    case cn
    case en

    public init(code: String) {
        self = code.lowercased() == "cn" ? .cn : .en
    }
}
