/// The one result of an operation, which each interface renders in its own format.
///
/// ```swift
/// let r = Reply.success(.loginSucceeded, extra: .init(cjiKey: "param", value: "agent_group_id=1&...|||"))
/// r.retuenString(style: .code)   // "|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&...|||"
/// ```
public struct Reply: Sendable, Equatable {
    /// `1` success, `2` failure, `3` partial failure (queueAction) or already logged in (CJI login).
    public var code: Int
    public var message: Message
    /// A third field: login's `param`, agentStatus's `status`.
    public var extra: Extra?
    public var format: Format
    /// The CJI renders some results with their own code (loginCJI's "already logged in" is 3).
    public var cjiCode: Int?

    public init(code: Int, message: Message, extra: Extra? = nil, format: Format = .retuen, cjiCode: Int? = nil) {
        self.code = code
        self.message = message
        self.extra = extra
        self.format = format
        self.cjiCode = cjiCode
    }

    public enum Message: Sendable, Equatable {
        /// A status message from the BackMsg table.
        case back(BackMessage)
        /// Data in place of the message: `1:success,2:NotChecked`, `8001:idle,8002:pause`, ...
        case data(String)

        public func render(_ style: MessageStyle) -> String {
            switch self {
            case .back(let message): return message.render(style)
            case .data(let data): return data
            }
        }
    }

    /// A third field after the message; `cjiKey` is its key in the CJI object.
    public struct Extra: Sendable, Equatable {
        public var cjiKey: String
        public var value: String
        public init(cjiKey: String, value: String) {
            self.cjiKey = cjiKey
            self.value = value
        }
    }

    public enum Format: Sendable, Equatable {
        /// `|Retuen|code|Retuen|message[|Retuen|extra]`
        case retuen
        /// `1|data` or `0|BackMsg_NN`: groupStatusNum.
        case pipe
        /// `pipe` over SOAP, `retuen` over HTTP and CJI: queueCustomerNum (manual 5.25).
        case pipeOnSOAP
    }

    public static func success(_ message: BackMessage, extra: Extra? = nil) -> Reply {
        Reply(code: 1, message: .back(message), extra: extra)
    }

    public static func success(data: String) -> Reply {
        Reply(code: 1, message: .data(data))
    }

    public static func failure(_ message: BackMessage) -> Reply {
        Reply(code: 2, message: .back(message))
    }

    public var isSuccess: Bool { code == 1 }
}
