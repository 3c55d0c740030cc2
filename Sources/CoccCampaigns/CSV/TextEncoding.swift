import CoccStorage
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The encodings CSV files arrive in: UTF-8 with or without a BOM, or GB18030 (which includes
/// GBK and GB2312: what Excel writes on Chinese Windows). Detected from the bytes.
public enum TextEncoding: String, Sendable, Equatable {
    case utf8
    case utf8BOM = "utf-8-bom"
    case gb18030

    /// Reads the file once: a UTF-8 BOM decides at once; otherwise the whole file must be valid
    /// UTF-8, or it is taken as GB18030. Memory stays at one chunk.
    public static func detect(path: String) throws -> TextEncoding {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CSVError.unreadable(path) }
        defer { try? handle.close() }
        var validator = UTF8Validator()
        var first = true
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            if first {
                first = false
                if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8BOM }
                if chunk.starts(with: [0xFF, 0xFE]) || chunk.starts(with: [0xFE, 0xFF]) { throw CSVError.unsupportedEncoding("UTF-16") }
            }
            if !validator.feed(chunk) { return .gb18030 }
        }
        return validator.finish() ? .utf8 : .gb18030
    }
}

/// Streaming UTF-8 validation (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
struct UTF8Validator {
    private var need = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    mutating func feed(_ data: Data) -> Bool {
        data.withUnsafeBytes { feed($0) }
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for b in bytes {
            if need == 0 {
                switch b {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: need = 1
                case 0xE0:
                    need = 2
                    lower = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: need = 2
                case 0xED:
                    need = 2
                    upper = 0x9F
                case 0xF0:
                    need = 3
                    lower = 0x90
                case 0xF1...0xF3: need = 3
                case 0xF4:
                    need = 3
                    upper = 0x8F
                default: return false
                }
            } else {
                guard b >= lower && b <= upper else { return false }
                lower = 0x80
                upper = 0xBF
                need -= 1
            }
        }
        return true
    }

    func finish() -> Bool { need == 0 }
}

/// GB18030 → UTF-8 through the C library's iconv, chunk by chunk (a character split across
/// chunks is carried over).
final class GB18030Converter {
    private let cd: iconv_t
    private var carry = [UInt8]()

    init() throws {
        cd = iconv_open("UTF-8", "GB18030")
        if cd == iconv_t(bitPattern: -1) { throw CSVError.unsupportedEncoding("GB18030 (iconv)") }
    }

    deinit { iconv_close(cd) }

    func convert(_ chunk: Data, final: Bool) throws -> [UInt8] {
        var input = carry + [UInt8](chunk)
        carry.removeAll()
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var inLeft = input.count
        var outLeft = output.count
        let consumed: Int = try input.withUnsafeMutableBytes { inRaw in
            try output.withUnsafeMutableBytes { outRaw in
                var inPtr: UnsafeMutablePointer<CChar>? = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                while inLeft > 0 {
                    if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 {
                        if errno == EINVAL && !final { break }  // an incomplete character: next chunk
                        throw CSVError.undecodable(offsetHint: inRaw.count - inLeft)
                    }
                }
                return inRaw.count - inLeft
            }
        }
        if consumed < input.count { carry = Array(input[consumed...]) }
        return Array(output[0..<(output.count - outLeft)])
    }
}
