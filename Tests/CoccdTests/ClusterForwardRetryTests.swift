import AsyncHTTPClient
import CoccCluster
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import CoccServer

/// When a forward to the team's node fails, it is tried again elsewhere only if the request
/// cannot have reached that node; a request that was sent and got no answer may have run there
/// (a makeCall), so it is answered as a failure instead of being run twice.
@Suite("cluster: which failed forwards are retried")
struct ClusterForwardRetryTests {
    /// A port nobody listens on refuses the connection: retried (the node is gone). Through the
    /// forwarder's own client, which does not retry connecting by itself.
    @Test func aRefusedConnectionIsRetried() async throws {
        let port = try Self.closedPort()
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/cluster/v1/operation")
        request.method = .POST
        let error = await #expect(throws: (any Error).self) {
            _ = try await OperationForwarder.client.execute(request, timeout: .seconds(5))
        }
        #expect(error.map(ClusterRouting.neverReached) == true, "\(String(describing: error))")
    }

    /// A node that takes the request and closes without answering: not retried.
    @Test func aRequestWithoutAnAnswerIsNotRetried() async throws {
        let listener = try Socket.listening()
        defer { close(listener.fd) }
        let server = Thread {
            let client = accept(listener.fd, nil, nil)
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &buffer, buffer.count)  // the request arrives...
            close(client)  // ...and the node dies before answering
        }
        server.start()
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(listener.port)/cluster/v1/operation")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: "{}"))
        let error = await #expect(throws: (any Error).self) {
            _ = try await OperationForwarder.client.execute(request, timeout: .seconds(5))
        }
        #expect(error.map(ClusterRouting.neverReached) == false, "\(String(describing: error))")
    }

    /// A loopback port that was free a moment ago.
    static func closedPort() throws -> Int {
        let socket = try Socket.listening()
        close(socket.fd)
        return socket.port
    }

    struct Socket {
        let fd: Int32
        let port: Int

        static func listening() throws -> Socket {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return Socket(fd: fd, port: Int(UInt16(bigEndian: address.sin_port)))
        }
    }
}
