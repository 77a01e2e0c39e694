import Glibc
import WorkermanCore

/// HTTP dates (RFC 9110 §5.6.7, IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"), without Foundation.
public enum HttpDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    nonisolated(unsafe) private static var cached: (second: Int, text: String) = (-1, "")  // one thread per process
    /// "Date: <now>\r\n" (37 bytes, in a plain value: no reference counting, no lazy initialisation)
    /// and the second it was formatted for. Unchecked exclusivity (no run-time check per response):
    /// private, one thread per process, never accessed inout across a call.
    @exclusivity(unchecked) nonisolated(unsafe) private static var line: (UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0)
    @exclusivity(unchecked) nonisolated(unsafe) private static var lineSecond = -1

    /// `seconds` since the epoch as an IMF-fixdate.
    public static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return
            "\(days[Int(parts.tm_wday)]), \(pad(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)) GMT"
    }

    /// The current time as an IMF-fixdate, formatted at most once a second.
    public static var now: String {
        let second = Int(time(nil))
        if cached.second != second { cached = (second, format(second)) }
        return cached.text
    }

    /// Appends the `Date` header line for the current time ("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
    /// formatted at most once a second.
    static func writeHeaderLine(into head: inout HeadWriter) {
        let second = Int(time(nil))
        if lineSecond != second {
            let text = Array("Date: \(format(second))\r\n".utf8)
            withUnsafeMutableBytes(of: &line) { $0.copyBytes(from: text.prefix(headerLineLength)) }
            lineSecond = second
        }
        withUnsafeBytes(of: &line) { head.put(UnsafeRawBufferPointer(rebasing: $0.prefix(headerLineLength))) }
    }

    /// The length of the `Date` header line (an IMF-fixdate always has 29 characters).
    static let headerLineLength = 37

    /// The seconds since the epoch of an IMF-fixdate, or nil when `text` is not one.
    public static func parse(_ text: String) -> Int? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, fields[5] == "GMT", let day = Int(fields[1]),
            let month = months.firstIndex(of: String(fields[2])), let year = Int(fields[3])
        else { return nil }
        let clock = fields[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(clock[0])
        parts.tm_min = Int32(clock[1])
        parts.tm_sec = Int32(clock[2])
        return Int(timegm(&parts))
    }

    private static func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
