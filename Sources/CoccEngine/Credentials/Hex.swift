/// Lower-case hexadecimal text of bytes. Digests are turned into text on every request
/// (agentStatus's password check, page tokens, signed URLs, webhook signatures), and
/// `String(format: "%02x")` per byte went through Foundation's formatter each time: in the
/// SOAP benchmark's profile it was 12% of a request.
///
/// ```swift
/// Hex.lowercase([0xde, 0xad, 0xbe, 0xef])   // "deadbeef"
/// ```
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
