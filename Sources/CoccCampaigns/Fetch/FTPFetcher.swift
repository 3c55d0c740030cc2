import CoccStorage
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal passive-mode FTP download (RFC 959 + EPSV, RFC 2428): USER, PASS, TYPE I,
/// EPSV or PASV, RETR. The data connection always goes to the control connection's address,
/// whatever PASV announces, so a server cannot point the import at another host ("FTP
/// bounce"). Blocking sockets on a dispatch thread, never the async pool; every wait (connect,
/// each reply, each data read) is bounded by ONE deadline for the whole fetch, and replies are
/// capped in size, so a hostile server can neither hold the import worker nor fill memory.
enum FTPFetcher {
    /// A reply line longer than this is refused (RFC 959 lines are short; 8 KiB is generous).
    static let maxReplyLine = 8 * 1024
    /// A multi-line reply of more lines than this is refused (banners run to a few dozen).
    static let maxReplyLines = 100

    static func fetch(_ url: URL, user: String, password: String, policy: FetchPolicy, to path: String) async throws {
        guard let host = url.host, policy.allows(host: host) else { throw FetchError.hostNotAllowed(url.host ?? "") }
        let split = URLUserinfo.split(url)
        let (user, password) = user.isEmpty && password.isEmpty ? (split.user, split.password) : (user, password)
        let deadline = Deadline(seconds: policy.timeout)
        // Blocking sockets on a thread of its own: a hostile server may hold it until the
        // deadline, and Dispatch's global queues (which the concurrency runtime's timers also
        // use) must not be the ones kept waiting. One import runs at a time, so one thread.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                do {
                    try download(
                        host: host, port: url.port ?? 21, path: url.path, user: user.isEmpty ? "anonymous" : user,
                        password: password.isEmpty && user.isEmpty ? "coccd@" : password, policy: policy, deadline: deadline, to: path)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    static func download(
        host: String, port: Int, path: String, user: String, password: String, policy: FetchPolicy, deadline: Deadline,
        to file: String
    ) throws {
        let (control, address) = try connect(host: host, port: port, deadline: deadline)
        defer { close(control) }
        var reader = ReplyReader(fd: control, deadline: deadline)
        func expect(_ codes: ClosedRange<Int>) throws -> (Int, String) {
            let (code, text) = try reader.reply()
            guard codes.contains(code) else {
                if code == 550 { throw FetchError.notFound }
                throw FetchError.failed("FTP: \(text.prefix(200))")  // the reply (its code first), shortened: it goes into the task status
            }
            return (code, text)
        }
        func send(_ line: String) throws {
            guard !line.contains("\r") && !line.contains("\n") else { throw FetchError.failed("FTP: bad characters in a command") }
            try writeAll(control, Array((line + "\r\n").utf8), deadline: deadline)
        }
        _ = try expect(200...299)
        try send("USER \(user)")
        let (code, _) = try expect(200...399)
        if code == 331 {
            try send("PASS \(password)")
            _ = try expect(200...299)
        }
        try send("TYPE I")
        _ = try expect(200...299)
        var dataPort: Int
        try send("EPSV")
        let (epsvCode, epsvText) = try reader.reply()
        if epsvCode == 229, let open = epsvText.firstIndex(of: "("),
            let p = Int(epsvText[open...].split(separator: "|").first { Int($0) != nil } ?? "")
        {
            dataPort = p
        } else {
            try send("PASV")
            let (_, text) = try expect(227...227)
            let numbers = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard numbers.count >= 7 else { throw FetchError.failed("FTP: cannot read the PASV reply") }
            dataPort = numbers[numbers.count - 2] * 256 + numbers[numbers.count - 1]
        }
        guard (1...65535).contains(dataPort) else { throw FetchError.failed("FTP: bad data port \(dataPort)") }
        let (data, _) = try connect(address: address, port: dataPort, deadline: deadline)
        defer { close(data) }
        try send("RETR \(path.removingPercentEncoding ?? path)")
        _ = try expect(100...199)
        FileManager.default.createFile(atPath: file, contents: nil)
        guard let out = FileHandle(forWritingAtPath: file) else { throw FetchError.storage(file) }
        defer { try? out.close() }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
            try deadline.wait(data, for: Int16(POLLIN))
            let n = buffer.withUnsafeMutableBytes { recv(data, $0.baseAddress, $0.count, 0) }
            if n < 0 { throw FetchError.failed("FTP: data connection: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            total += n
            if total > policy.maxBytes { throw FetchError.tooLarge(policy.maxBytes) }
            do { try out.write(contentsOf: Data(buffer[0..<n])) } catch { throw FetchError.storage("\(error)") }
        }
        _ = try expect(200...299)
        try? send("QUIT")
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], deadline: Deadline) throws {
        var offset = 0
        while offset < bytes.count {
            try deadline.wait(fd, for: Int16(POLLOUT))
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw FetchError.failed("FTP: send: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads control replies, multi-line ones (`123-...` up to `123 ...`) included, within the
    /// deadline and the caps on line length and line count.
    struct ReplyReader {
        let fd: Int32
        let deadline: Deadline
        var pending = [UInt8]()

        mutating func line() throws -> String {
            var searched = 0
            while true {
                if let i = pending[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                    guard i <= FTPFetcher.maxReplyLine else { break }
                    let text = String(decoding: pending[..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    pending.removeSubrange(...i)
                    return text
                }
                searched = pending.count
                if pending.count > FTPFetcher.maxReplyLine { break }
                try deadline.wait(fd, for: Int16(POLLIN))
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else {
                    throw FetchError.failed(n == 0 ? "FTP: the server closed the connection" : "FTP: \(String(cString: strerror(errno)))")
                }
                pending += buffer[0..<n]
            }
            throw FetchError.failed("FTP: a reply line longer than \(FTPFetcher.maxReplyLine) bytes")
        }

        mutating func reply() throws -> (Int, String) {
            let first = try line()
            guard first.count >= 3, let code = Int(first.prefix(3)) else {
                throw FetchError.failed("FTP: unexpected reply \(first.prefix(80))")
            }
            var text = first
            if first.dropFirst(3).first == "-" {
                var lines = 1
                while true {
                    let next = try line()
                    lines += 1
                    guard lines <= FTPFetcher.maxReplyLines else {
                        throw FetchError.failed("FTP: a reply of more than \(FTPFetcher.maxReplyLines) lines")
                    }
                    text += "\n" + next
                    if next.hasPrefix("\(code) ") { break }
                }
            }
            return (code, text)
        }
    }
}
