import CoccStorage
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The moment a whole fetch must be over by; every socket wait asks it how long is left.
struct Deadline: Sendable {
    let seconds: TimeInterval
    let end: ContinuousClock.Instant

    init(seconds: TimeInterval) {
        self.seconds = seconds
        end = .now + .milliseconds(Int64(seconds * 1000))
    }

    /// Waits until `fd` is ready for `events`, or throws ``FetchError/timedOut(_:)`` once the
    /// deadline has passed.
    func wait(_ fd: Int32, for events: Int16) throws {
        while true {
            let left = end - .now
            guard left > .zero else { throw FetchError.timedOut(seconds) }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ms = Int32(clamping: max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let rc = poll(&entry, 1, ms)
            if rc > 0 { return }  // ready, or an error/hang-up the next call reports
            if rc < 0 && errno != EINTR { throw FetchError.failed("FTP: poll: \(String(cString: strerror(errno)))") }
        }
    }
}

extension FTPFetcher {
    /// Resolves `host` and connects; returns the socket and the address used (for the data connection).
    static func connect(host: String, port: Int, deadline: Deadline) throws -> (Int32, sockaddr_storage) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
            throw FetchError.failed("FTP: cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var address = sockaddr_storage()
        memcpy(&address, info.pointee.ai_addr, Int(info.pointee.ai_addrlen))
        return (try connect(address: address, port: port, deadline: deadline).0, address)
    }

    /// Connects without blocking past the deadline (a host that drops SYNs would otherwise hold
    /// the thread for the kernel's minutes), then leaves the socket blocking for reads that are
    /// each preceded by a bounded poll.
    static func connect(address: sockaddr_storage, port: Int, deadline: Deadline) throws -> (Int32, sockaddr_storage) {
        var address = address
        let family = Int32(address.ss_family)
        let length: socklen_t
        if family == AF_INET6 {
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port = in_port_t(UInt16(port).bigEndian) }
            }
        } else {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port = in_port_t(UInt16(port).bigEndian) }
            }
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FetchError.failed("FTP: socket: \(String(cString: strerror(errno)))") }
        do {
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
            }
            if rc != 0 {
                guard errno == EINPROGRESS else { throw FetchError.failed("FTP: connect: \(String(cString: strerror(errno)))") }
                try deadline.wait(fd, for: Int16(POLLOUT))
                var error: Int32 = 0
                var size = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
                guard error == 0 else { throw FetchError.failed("FTP: connect: \(String(cString: strerror(error)))") }
            }
            _ = fcntl(fd, F_SETFL, flags)
        } catch {
            close(fd)
            throw error
        }
        return (fd, address)
    }
}
