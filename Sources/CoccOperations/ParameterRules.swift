/// What a number or an id parameter may hold, checked before an operation does anything, so a
/// value meant to forge an event (`13800000004&activenum=9999`) is refused with the manual's code
/// instead of travelling on. The event writer escapes every value anyway (``EventLine``); this
/// is the second wall, and it gives the client a clear answer.
///
/// ```swift
/// ParameterRules.isDialString("+8613800000001")   // true
/// ParameterRules.isDialString("138&activenum=9")  // false: the operation answers BackMsg_28
/// ParameterRules.isBusinessID("campaign-10")      // true
/// ```
public enum ParameterRules {
    /// Longest phone number, extension or agent number accepted: E.164 allows 15 digits; prefixes,
    /// `*`/`#` feature codes and extension numbers fit well within 32.
    public static let maxDialLength = 32
    /// Longest `model_id` (a campaign or business id a CRM chose).
    public static let maxBusinessIDLength = 64

    /// Digits, `*` and `#`, with an optional leading `+`; 1 to ``maxDialLength`` characters.
    public static func isDialString(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= maxDialLength else { return false }
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "#"): continue
            case UInt8(ascii: "+") where index == 0 && bytes.count > 1: continue
            default: return false
            }
        }
        return true
    }

    /// Letters, digits, `-`, `_`, `.` and `:`; 1 to ``maxBusinessIDLength`` characters.
    public static func isBusinessID(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= maxBusinessIDLength else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
                return true
            default: return false
            }
        }
    }
}
