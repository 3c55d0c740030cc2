import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal passive-mode FTP download (RFC 959 + EPSV, RFC 2428): USER, PASS, TYPE I,
/// EPSV or PASV, RETR. The data connection always goes to the control connection's address,
/// whatever PASV announces, so a server cannot point the import at another host ("FTP
/// bounce"). Blocking sockets with timeouts, on a dispatch thread, never the async pool.
enum FTPFetcher {
    static func fetch(_ url: URL, user: String, password: String, policy: FetchPolicy, to path: String) async throws {
        guard let host = url.host, policy.allows(host: host) else { throw FetchError.hostNotAllowed(url.host ?? "") }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                do {
                    try download(host: host, port: url.port ?? 21, path: url.path, user: user.isEmpty ? (url.user ?? "anonymous") : user,
                                 password: password.isEmpty ? (url.password ?? "coccd@") : password, policy: policy, to: path)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    static func download(host: String, port: Int, path: String, user: String, password: String, policy: FetchPolicy, to file: String) throws {
        let (control, address) = try connect(host: host, port: port, timeout: policy.timeout)
        defer { close(control) }
        var reader = LineReader(fd: control)
        func expect(_ codes: ClosedRange<Int>) throws -> (Int, String) {
            let (code, text) = try reader.reply()
            guard codes.contains(code) else {
                if code == 550 { throw FetchError.notFound }
                throw FetchError.failed("FTP: \(code) \(text)")
            }
            return (code, text)
        }
        func send(_ line: String) throws {
            guard !line.contains("\r") && !line.contains("\n") else { throw FetchError.failed("FTP: bad characters in a command") }
            try writeAll(control, Array((line + "\r\n").utf8))
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
        if epsvCode == 229, let open = epsvText.firstIndex(of: "("), let p = Int(epsvText[open...].split(separator: "|").first { Int($0) != nil } ?? "") {
            dataPort = p
        } else {
            try send("PASV")
            let (_, text) = try expect(227...227)
            let numbers = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard numbers.count >= 7 else { throw FetchError.failed("FTP: cannot read the PASV reply") }
            dataPort = numbers[numbers.count - 2] * 256 + numbers[numbers.count - 1]
        }
        let (data, _) = try connect(address: address, port: dataPort, timeout: policy.timeout)
        defer { close(data) }
        try send("RETR \(path.removingPercentEncoding ?? path)")
        _ = try expect(100...199)
        FileManager.default.createFile(atPath: file, contents: nil)
        guard let out = FileHandle(forWritingAtPath: file) else { throw FetchError.storage(file) }
        defer { try? out.close() }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
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

    /// Resolves `host` and connects; returns the socket and the address used (for the data connection).
    static func connect(host: String, port: Int, timeout: TimeInterval) throws -> (Int32, sockaddr_storage) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else { throw FetchError.failed("FTP: cannot resolve \(host)") }
        defer { freeaddrinfo(result) }
        var address = sockaddr_storage()
        memcpy(&address, info.pointee.ai_addr, Int(info.pointee.ai_addrlen))
        return (try connect(address: address, port: port, timeout: timeout).0, address)
    }

    static func connect(address: sockaddr_storage, port: Int, timeout: TimeInterval) throws -> (Int32, sockaddr_storage) {
        var address = address
        let family = Int32(address.ss_family)
        let length: socklen_t
        if family == AF_INET6 {
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port = in_port_t(UInt16(port).bigEndian) } }
        } else {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port = in_port_t(UInt16(port).bigEndian) } }
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FetchError.failed("FTP: socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        guard rc == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw FetchError.failed("FTP: connect: \(why)")
        }
        return (fd, address)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw FetchError.failed("FTP: send: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads control replies, multi-line ones (`123-...` up to `123 ...`) included.
    struct LineReader {
        let fd: Int32
        var pending = [UInt8]()

        mutating func line() throws -> String {
            while true {
                if let i = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let text = String(decoding: pending[..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    pending.removeSubrange(...i)
                    return text
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { throw FetchError.failed(n == 0 ? "FTP: the server closed the connection" : "FTP: timed out") }
                pending += buffer[0..<n]
                if pending.count > 64 * 1024 { throw FetchError.failed("FTP: reply too long") }
            }
        }

        mutating func reply() throws -> (Int, String) {
            let first = try line()
            guard first.count >= 3, let code = Int(first.prefix(3)) else { throw FetchError.failed("FTP: unexpected reply \(first.prefix(80))") }
            var text = first
            if first.dropFirst(3).first == "-" {
                while true {
                    let next = try line()
                    text += "\n" + next
                    if next.hasPrefix("\(code) ") { break }
                }
            }
            return (code, text)
        }
    }
}
