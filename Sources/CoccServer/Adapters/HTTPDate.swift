import Foundation

/// RFC 7231 dates: `Wed, 25 Nov 2026 08:50:13 GMT`.
enum HTTPDate {
    static func formatter() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }

    /// Every long-poll answer carries one (Last-Modified) and most polls send one back
    /// (If-Modified-Since): making a DateFormatter for each was 15% of the CPU at 10,000
    /// subscribers (Benchmarks/push_benchmark.sh), so the usual form is done by hand.
    static func format(_ date: Date) -> String {
        HTTPDateCache.format(Int(date.timeIntervalSince1970.rounded(.down)))
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` by hand; any other spelling through the formatter.
    static func parse(_ text: String) -> Date? {
        fastParse(text) ?? formatter().date(from: text)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func fastParse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int32(parts[1]), let month = months.firstIndex(where: { $0 == parts[2] }), let year = Int32(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int32(clock[0]), let minute = Int32(clock[1]), let second = Int32(clock[2]),
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = Int32(month)
        fields.tm_mday = day
        fields.tm_hour = hour
        fields.tm_min = minute
        fields.tm_sec = second
        return Date(timeIntervalSince1970: TimeInterval(timegm(&fields)))
    }
}
