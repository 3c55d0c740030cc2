import CoccServer
import Logging
import Testing

/// Log lines: a client's value can neither start a line of its own nor pose as another field,
/// and a huge one costs one short line.
@Suite("log lines")
struct LogLineTests {
    @Test
    func controlCharactersCannotForgeALine() {
        let user = "8001\n2026-12-01T00:00:00Z notice coccd: user=admin [CoccServer] login succeeded"
        let line = LogLine.render(
            time: "T", level: .notice, label: "coccd", metadata: ["user": "\(user)", "event": "X\r\u{0}\u{1b}[31m"],
            source: "CoccServer", message: "login failed\nforged")
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{0}") && !line.contains("\u{1b}"))
        #expect(
            line
                == #"T notice coccd: event="X\r\u{0}\u{1b}[31m" user="8001\n2026-12-01T00:00:00Z notice coccd: user=admin [CoccServer] login succeeded" [CoccServer] login failed\nforged"#
        )
    }

    @Test
    func plainValuesStayPlainAndQuotesAreEscaped() {
        #expect(LogLine.value("8001") == "8001")
        #expect(LogLine.value("a b") == #""a b""#)
        #expect(LogLine.value(#"x" user="admin"#) == #""x\" user=\"admin""#)
    }

    @Test
    func hugeValuesAreCut() {
        let event = String(repeating: "A", count: 256 * 1024)
        let line = LogLine.render(
            time: "T", level: .notice, label: "coccd", metadata: ["event": "\(event)"], source: "s", message: "unknown EVENT")
        #expect(line.utf8.count < 400)
        #expect(line.contains("…(262144 bytes)"))
    }
}
