import CoccStorage
import Foundation
import Synchronization

public enum CSVError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case unsupportedEncoding(String)
    case undecodable(offsetHint: Int)
    case unterminatedQuote(row: Int)
    case fieldTooLong(row: Int)
    case tooManyRows(limit: Int)
    case tooManyFields(row: Int, limit: Int)
    case rowTooLong(row: Int, limit: Int)

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read \(path)"
        case .unsupportedEncoding(let name): return "unsupported encoding \(name) (UTF-8 or GB18030)"
        case .undecodable(let at): return "bytes near offset \(at) are neither UTF-8 nor GB18030"
        case .unterminatedQuote(let row): return "row \(row): a quoted field is never closed"
        case .fieldTooLong(let row): return "row \(row): a field is longer than 64 KiB (broken quoting?)"
        case .tooManyRows(let limit): return "more than \(limit) rows"
        case .tooManyFields(let row, let limit): return "row \(row): more than \(limit) fields (importMaxFieldsPerRow)"
        case .rowTooLong(let row, let limit): return "row \(row): longer than \(limit) bytes (importMaxRowBytes)"
        }
    }
}

/// RFC 4180 CSV, streamed from a file: quoted fields with `""` escapes and line breaks, CRLF or
/// LF or CR, UTF-8 (BOM skipped) or GB18030. Only one chunk and one row are in memory at once,
/// and a row is capped (``Limits``) while it is read, so a hostile row (20 MiB of commas, a
/// never-closed quote) is refused before it costs memory.
///
/// ```swift
/// try CSVReader(path: "customers.csv").forEachRow { number, fields in print(number, fields) }
/// ```
public struct CSVReader: Sendable {
    /// What one row may hold. Checked before each byte or field is kept, so the reader never
    /// holds more than these.
    public struct Limits: Sendable, Equatable {
        /// Bytes of one field (a longer one is almost always broken quoting).
        public var maxFieldBytes = 64 * 1024
        /// Fields of one row (`importMaxFieldsPerRow`).
        public var maxFieldsPerRow = 512
        /// Bytes of one row, separators included (`importMaxRowBytes`).
        public var maxRowBytes = 256 * 1024
        public init() {}
    }

    /// The most one row made the reader hold, for tests and diagnostics: fields, and bytes
    /// (field bytes plus one per separator).
    public final class Probe: Sendable {
        private let peaks = Mutex((fields: 0, rowBytes: 0))
        public init() {}
        public var peakFields: Int { peaks.withLock { $0.fields } }
        public var peakRowBytes: Int { peaks.withLock { $0.rowBytes } }
        func record(fields: Int, rowBytes: Int) {
            peaks.withLock { $0 = (max($0.fields, fields), max($0.rowBytes, rowBytes)) }
        }
    }

    public let path: String
    public let encoding: TextEncoding
    public let limits: Limits

    public init(path: String, encoding: TextEncoding? = nil, limits: Limits = Limits()) throws {
        self.path = path
        self.encoding = try encoding ?? TextEncoding.detect(path: path)
        self.limits = limits
    }

    /// Calls `body` with each non-empty row's 1-based number and fields. Throws on broken CSV
    /// and on a row over the ``limits``.
    public func forEachRow(probe: Probe? = nil, _ body: (Int, [String]) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CSVError.unreadable(path) }
        defer { try? handle.close() }
        let converter = encoding == .gb18030 ? try GB18030Converter() : nil
        var parser = Parser(limits: limits)
        // The peaks are kept in the parser (plain integers in the hot loop) and published once.
        defer { probe?.record(fields: parser.peakFields, rowBytes: parser.peakRowBytes) }
        var first = true
        while true {
            let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
            let final = chunk.isEmpty
            var bytes: [UInt8]
            if let converter { bytes = try converter.convert(chunk, final: final) } else { bytes = [UInt8](chunk) }
            if first && encoding == .utf8BOM && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            first = false
            try parser.feed(bytes, body)
            if final { break }
        }
        try parser.finish(body)
    }
}
