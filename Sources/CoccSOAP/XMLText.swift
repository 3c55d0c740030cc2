/// Escaping for XML text and attribute values.
public enum XMLText {
    /// Escapes markup characters and drops the characters XML 1.0 cannot carry (C0 controls other
    /// than tab, newline and carriage return; U+FFFE, U+FFFF), so that no stored value can break a
    /// client's parser. Works on UTF-8 bytes and returns the string itself when nothing needs
    /// changing, which is most replies.
    public static func escape(_ s: String) -> String {
        var utf8 = s.utf8
        if let fast = utf8.withContiguousStorageIfAvailable({ needsWork($0) }), !fast { return s }
        if utf8.withContiguousStorageIfAvailable({ _ in true }) == nil {
            var copy = s
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let b = utf8[i]
            switch b {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&apos;".utf8)
            case 0x09, 0x0A, 0x0D: out.append(b)
            case 0x00..<0x20: break
            case 0xEF:
                // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
                let j = utf8.index(after: i)
                if j != utf8.endIndex, utf8[j] == 0xBF {
                    let k = utf8.index(after: j)
                    if k != utf8.endIndex, utf8[k] == 0xBE || utf8[k] == 0xBF {
                        i = k
                        break
                    }
                }
                out.append(b)
            default: out.append(b)
            }
            i = utf8.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsWork(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes {
            switch b {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"), 0xEF: return true
            case 0x09, 0x0A, 0x0D: continue
            case 0x00..<0x20: return true
            default: continue
            }
        }
        return false
    }
}
