public import Foundation

/// `YYYY-MM-DD hh:mm:ss` in the server's time zone, as the manual writes times.
public enum ImportTime {
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
        guard parts.count == 6 || parts.count == 5 || parts.count == 3 else { return nil }
        var c = DateComponents()
        c.year = parts[0]
        c.month = parts[1]
        c.day = parts[2]
        c.hour = parts.count > 3 ? parts[3] : 0
        c.minute = parts.count > 4 ? parts[4] : 0
        c.second = parts.count > 5 ? parts[5] : 0
        guard (1...12).contains(c.month!), (1...31).contains(c.day!), (0...23).contains(c.hour!), (0...59).contains(c.minute!) else {
            return nil
        }
        return Calendar.current.date(from: c)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs; cheap when there are none (the usual case).
    public var trimmedSpaces: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}
