import Foundation
import Synchronization

/// The `Date` header's value (RFC 9110 §5.6.7), made once a second: the lean path answers many
/// thousands of requests a second and formatting a date each time would cost more than the
/// rest of the head. Hummingbird keeps its own for the routes; this one is for ``HotPathHandler``.
final class HTTPDateCache: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    static let shared = HTTPDateCache()

    var now: String {
        let second = Int(time(nil))
        return cached.withLock { c in
            if c.second != second { c = (second, Self.format(second)) }
            return c.text
        }
    }

    static func format(_ second: Int) -> String {
        var t = time_t(second)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
