import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP server on loopback that runs a script per connection on its own thread: for hostile
/// peers (an FTP server that never stops talking, or never talks) that a real server library
/// would not let us be.
final class ScriptedTCPServer: Sendable {
    /// One accepted connection, as the script sees it.
    struct Connection: Sendable {
        let fd: Int32
        let server: ScriptedTCPServer

        /// False once the peer is gone or the server stops.
        @discardableResult
        func send(_ text: String) -> Bool {
            guard !server.isStopped else { return false }
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }

        /// The next line the peer sends (without CRLF), or nil when it closes.
        func readLine() -> String? {
            var line = [UInt8]()
            var byte: UInt8 = 0
            while recv(fd, &byte, 1, 0) == 1 {
                if byte == UInt8(ascii: "\n") {
                    return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                }
                line.append(byte)
            }
            return nil
        }

        /// Sleeps in small steps until the server stops or `seconds` pass.
        func idle(_ seconds: Double) {
            var left = seconds
            while left > 0 && !server.isStopped {
                usleep(20_000)
                left -= 0.02
            }
        }
    }

    let port: Int
    private let listener: Int32
    private let stopped = Mutex(false)
    var isStopped: Bool { stopped.withLock { $0 } }

    init(_ script: @escaping @Sendable (Connection) -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        Thread.detachNewThread { [self] in
            while !self.isStopped {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                Thread.detachNewThread {
                    script(Connection(fd: fd, server: self))
                    close(fd)
                }
            }
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

/// Awaits `body`, but gives up after `seconds` (returning nil): a hang fails the test that
/// checks the result instead of stalling the whole run. A safety net, not a timing assertion.
func finishing<T: Sendable>(within seconds: Double, _ body: @escaping @Sendable () async -> T) async -> T? {
    let once = Once()
    return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        Task {
            let value = await body()
            if once.claim() { continuation.resume(returning: value) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if once.claim() { continuation.resume(returning: nil) }
        }
    }
}

/// True for the first caller only.
final class Once: Sendable {
    private let done = Mutex(false)
    init() {}
    func claim() -> Bool {
        done.withLock { d in
            defer { d = true }
            return !d
        }
    }
}
