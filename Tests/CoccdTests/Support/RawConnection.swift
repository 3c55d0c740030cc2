import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain TCP connection to the server on loopback, for what an HTTP client library hides:
/// interim `100 Continue` answers, slow senders, oversized heads.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    /// `from`: the local address to connect from (any 127.x.y.z on Linux loopback), so a test
    /// can be a client other than the test client at 127.0.0.1.
    /// `receiveBuffer`: the socket's receive buffer (SO_RCVBUF), set before connecting, for a
    /// client whose window fills after a few KB when it does not read.
    init(port: Int, from source: String? = nil, receiveBuffer: Int32? = nil) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw FixtureError("socket failed") }
        if var size = receiveBuffer {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw FixtureError("bind to \(source) failed")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw FixtureError("connect failed")
        }
    }

    deinit { close(fd) }

    /// Ends the connection from this side (the descriptor is released at deinit).
    func hangUp() { _ = shutdown(fd, Int32(SHUT_RDWR)) }

    /// Closes this side for writing only (a half-close): the server can still answer.
    func closeWriting() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Runs blocking socket calls on a thread of their own: blocking the cooperative pool (two
    /// threads here) would starve the server under test, whose handlers run there too, and
    /// Dispatch's global queues are as narrow (the runtime's timers fire there).
    func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    func send(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// What arrives within `timeout` seconds (stopping early once `until` is seen);
    /// nil when the server closed the connection before sending anything.
    func receive(timeout: Double, until marker: String? = nil) async -> String? {
        await blocking { self.receiveBlocking(timeout: timeout, until: marker) }
    }

    func isClosed(within timeout: Double) async -> Bool {
        await blocking { self.isClosedBlocking(within: timeout) }
    }

    private func receiveBlocking(timeout: Double, until marker: String?) -> String? {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while ContinuousClock.now < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = deadline - ContinuousClock.now
            let ready = poll(&pfd, 1, Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            if ready <= 0 { break }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return received.isEmpty ? nil : String(decoding: received, as: UTF8.self) }
            received += buffer[0..<n]
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// True when the server has closed the connection (read returns end of file) within `timeout`.
    private func isClosedBlocking(within timeout: Double) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) <= 0
    }

}
