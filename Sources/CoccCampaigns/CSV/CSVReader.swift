import Foundation

public enum CSVError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case unsupportedEncoding(String)
    case undecodable(offsetHint: Int)
    case unterminatedQuote(row: Int)
    case fieldTooLong(row: Int)
    case tooManyRows(limit: Int)

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read \(path)"
        case .unsupportedEncoding(let name): return "unsupported encoding \(name) (UTF-8 or GB18030)"
        case .undecodable(let at): return "bytes near offset \(at) are neither UTF-8 nor GB18030"
        case .unterminatedQuote(let row): return "row \(row): a quoted field is never closed"
        case .fieldTooLong(let row): return "row \(row): a field is longer than 64 KiB (broken quoting?)"
        case .tooManyRows(let limit): return "more than \(limit) rows"
        }
    }
}

/// RFC 4180 CSV, streamed from a file: quoted fields with `""` escapes and line breaks, CRLF or
/// LF or CR, UTF-8 (BOM skipped) or GB18030. Only one chunk and one row are in memory at once.
///
/// ```swift
/// try CSVReader(path: "customers.csv").forEachRow { number, fields in print(number, fields) }
/// ```
public struct CSVReader: Sendable {
    public let path: String
    public let encoding: TextEncoding
    public static let maxField = 64 * 1024

    public init(path: String, encoding: TextEncoding? = nil) throws {
        self.path = path
        self.encoding = try encoding ?? TextEncoding.detect(path: path)
    }

    /// Calls `body` with each non-empty row's 1-based number and fields. Throws on broken CSV.
    public func forEachRow(_ body: (Int, [String]) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CSVError.unreadable(path) }
        defer { try? handle.close() }
        let converter = encoding == .gb18030 ? try GB18030Converter() : nil
        var parser = Parser()
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

    struct Parser {
        var field = [UInt8]()
        var fields = [String]()
        var inQuotes = false
        var quoteSeen = false        // the previous byte closed a quote (or began "")
        var fieldStarted = false
        var lastWasCR = false
        var row = 0

        mutating func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
            quoteSeen = false
        }

        mutating func endRow(_ body: (Int, [String]) throws -> Void) throws {
            endField()
            row += 1
            // A blank line is no row (a trailing newline, an empty line between records).
            if !(fields.count == 1 && fields[0].isEmpty) { try body(row, fields) } else { row -= 1 }
            fields.removeAll(keepingCapacity: true)
        }

        mutating func feed(_ bytes: [UInt8], _ body: (Int, [String]) throws -> Void) throws {
            for b in bytes {
                if inQuotes {
                    if b == UInt8(ascii: "\"") { inQuotes = false; quoteSeen = true } else { field.append(b) }
                } else {
                    switch b {
                    case UInt8(ascii: "\""):
                        if quoteSeen { field.append(b); inQuotes = true; quoteSeen = false }   // "" inside quotes
                        else if !fieldStarted { inQuotes = true; fieldStarted = true }
                        else { field.append(b) }   // a stray quote in an unquoted field: kept as text
                    case UInt8(ascii: ","):
                        endField()
                    case UInt8(ascii: "\n"):
                        if lastWasCR { lastWasCR = false; continue }
                        try endRow(body)
                    case UInt8(ascii: "\r"):
                        try endRow(body)
                        lastWasCR = true
                        continue
                    default:
                        quoteSeen = false
                        fieldStarted = true
                        field.append(b)
                    }
                }
                lastWasCR = false
                if field.count > CSVReader.maxField { throw CSVError.fieldTooLong(row: row + 1) }
            }
        }

        mutating func finish(_ body: (Int, [String]) throws -> Void) throws {
            if inQuotes { throw CSVError.unterminatedQuote(row: row + 1) }
            if !field.isEmpty || !fields.isEmpty || fieldStarted { try endRow(body) }
        }
    }
}
