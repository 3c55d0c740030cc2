import Foundation
import NIOCore
import PostgresNIO

/// An array parameter sent in PostgreSQL's text form (`{"a","b"}`) and typed as an array
/// (`text[]`, `bigint[]`, `boolean[]`): still a bound parameter, never SQL.
///
/// ```swift
/// try await connection.run("SELECT id FROM customers WHERE phone1 = ANY(\(ArrayParameter.text(phones)))", logger)
/// ```
/// Why not postgres-nio's `[String]` binding: it encodes element by element in the binary
/// format, which cost an import batch more than the server's work. And why typed, not a `text`
/// cast in the SQL (`$1::text[]`): a typed parameter is a constant to the planner, which then
/// knows the list's length, probes the index once per element and hashes the list in filters;
/// a cast is an expression it must test every candidate row against, element by element.
struct ArrayParameter: PostgresDynamicTypeEncodable {
    let psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .text }
    let literal: String

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(literal)
    }

    /// Every element quoted, `\` and `"` escaped: any text survives, commas and braces too.
    static func text(_ values: [String]) -> ArrayParameter {
        var out = "{"
        out.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(",") }
            out.append("\"")
            if value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 }) {
                for character in value.unicodeScalars {
                    if character == "\\" || character == "\"" { out.append("\\") }
                    out.unicodeScalars.append(character)
                }
            } else {
                out.append(value)
            }
            out.append("\"")
        }
        out.append("}")
        return ArrayParameter(psqlType: .textArray, literal: out)
    }

    static func integers(_ values: [Int64]) -> ArrayParameter {
        ArrayParameter(psqlType: .int8Array, literal: "{" + values.map(String.init).joined(separator: ",") + "}")
    }

    static func booleans(_ values: [Bool]) -> ArrayParameter {
        ArrayParameter(psqlType: .boolArray, literal: "{" + values.map { $0 ? "t" : "f" }.joined(separator: ",") + "}")
    }

    /// Microseconds since 2000-01-01 UTC, truncated as postgres-nio encodes a `Date`, so that a
    /// time reads back the same whichever way it was written.
    static func microseconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince(Date(timeIntervalSince1970: 946_684_800)) * 1_000_000)
    }
}
