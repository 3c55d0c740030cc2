import CoccStorage

extension CSVReader {
    /// The byte-level state machine. Every byte and field it keeps is checked against the limits
    /// first, so a row can never make it hold more than `maxRowBytes` and `maxFieldsPerRow`.
    struct Parser {
        let limits: Limits
        var field = [UInt8]()
        var fields = [String]()
        var inQuotes = false
        var quoteSeen = false  // the previous byte closed a quote (or began "")
        var fieldStarted = false
        var lastWasCR = false
        var row = 0
        /// Bytes of the row's finished fields, one per separator included.
        var rowBytes = 0
        var peakFields = 0
        var peakRowBytes = 0

        init(limits: Limits) { self.limits = limits }

        mutating func endField() throws {
            guard fields.count < limits.maxFieldsPerRow else {
                throw CSVError.tooManyFields(row: row + 1, limit: limits.maxFieldsPerRow)
            }
            fields.append(String(decoding: field, as: UTF8.self))
            rowBytes += field.count + 1
            peakFields = max(peakFields, fields.count)
            peakRowBytes = max(peakRowBytes, rowBytes)
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
            quoteSeen = false
        }

        mutating func endRow(_ body: (Int, [String]) throws -> Void) throws {
            try endField()
            row += 1
            // A blank line is no row (a trailing newline, an empty line between records).
            if !(fields.count == 1 && fields[0].isEmpty) { try body(row, fields) } else { row -= 1 }
            fields.removeAll(keepingCapacity: true)
            rowBytes = 0
        }

        /// Keeps one byte of the current field, unless it would pass a limit.
        @inline(__always)
        mutating func keep(_ b: UInt8) throws {
            if field.count >= limits.maxFieldBytes { throw CSVError.fieldTooLong(row: row + 1) }
            if rowBytes + field.count >= limits.maxRowBytes {
                peakRowBytes = max(peakRowBytes, rowBytes + field.count)
                throw CSVError.rowTooLong(row: row + 1, limit: limits.maxRowBytes)
            }
            field.append(b)
        }

        mutating func feed(_ bytes: [UInt8], _ body: (Int, [String]) throws -> Void) throws {
            for b in bytes {
                if inQuotes {
                    if b == UInt8(ascii: "\"") {
                        inQuotes = false
                        quoteSeen = true
                    } else {
                        try keep(b)
                    }
                } else {
                    switch b {
                    case UInt8(ascii: "\""):
                        if quoteSeen {
                            try keep(b)
                            inQuotes = true
                            quoteSeen = false
                        }  // "" inside quotes
                        else if !fieldStarted {
                            inQuotes = true
                            fieldStarted = true
                        } else {
                            try keep(b)
                        }  // a stray quote in an unquoted field: kept as text
                    case UInt8(ascii: ","):
                        try endField()
                    case UInt8(ascii: "\n"):
                        if lastWasCR {
                            lastWasCR = false
                            continue
                        }
                        try endRow(body)
                    case UInt8(ascii: "\r"):
                        try endRow(body)
                        lastWasCR = true
                        continue
                    default:
                        quoteSeen = false
                        fieldStarted = true
                        try keep(b)
                    }
                }
                lastWasCR = false
            }
        }

        mutating func finish(_ body: (Int, [String]) throws -> Void) throws {
            if inQuotes { throw CSVError.unterminatedQuote(row: row + 1) }
            if !field.isEmpty || !fields.isEmpty || fieldStarted { try endRow(body) }
        }
    }
}
