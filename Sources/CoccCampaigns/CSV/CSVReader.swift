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
        let chunks = try Chunks(self, probe: probe)
        while try chunks.next(body) {}
    }

    /// ``forEachRow(probe:_:)`` for a body that awaits (an import storing its batches): each
    /// 64 KiB chunk is parsed first, then its rows are handed over, so the parser itself stays
    /// synchronous and a row never waits inside it.
    public func forEachRow(probe: Probe? = nil, _ body: (Int, [String]) async throws -> Void) async throws {
        let chunks = try Chunks(self, probe: probe)
        var rows: [(Int, [String])] = []
        var more = true
        while more {
            more = try chunks.next { rows.append(($0, $1)) }
            for (number, values) in rows { try await body(number, values) }
            rows.removeAll(keepingCapacity: true)
        }
    }

    /// The one reading loop of both `forEachRow`s: the file a 64 KiB chunk at a time, converted
    /// from GB18030 or stripped of its BOM, and parsed. A class so that the file is closed and
    /// the peaks published however the caller's loop ends.
    private final class Chunks {
        let handle: FileHandle
        let converter: GB18030Converter?
        let encoding: TextEncoding
        let probe: Probe?
        var parser: Parser
        var first = true
        var done = false

        init(_ reader: CSVReader, probe: Probe?) throws {
            guard let handle = FileHandle(forReadingAtPath: reader.path) else { throw CSVError.unreadable(reader.path) }
            self.handle = handle
            self.converter = reader.encoding == .gb18030 ? try GB18030Converter() : nil
            self.encoding = reader.encoding
            self.probe = probe
            self.parser = Parser(limits: reader.limits)
        }

        deinit {
            try? handle.close()
            // The peaks are kept in the parser (plain integers in the hot loop) and published once.
            probe?.record(fields: parser.peakFields, rowBytes: parser.peakRowBytes)
        }

        /// Hands the next chunk's rows to `body`; false once the file's last row was handed.
        func next(_ body: (Int, [String]) throws -> Void) throws -> Bool {
            guard !done else { return false }
            let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
            let final = chunk.isEmpty
            var bytes: [UInt8]
            if let converter { bytes = try converter.convert(chunk, final: final) } else { bytes = [UInt8](chunk) }
            if first && encoding == .utf8BOM && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            first = false
            try parser.feed(bytes, body)
            if final {
                try parser.finish(body)
                done = true
            }
            return !done
        }
    }
}
