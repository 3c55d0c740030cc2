import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

// nio-floor PORT MODE ANSWER-FILE
//   http1: NIO's HTTP/1 server pipeline (decoder, encoder, pipelining handler) and a handler that
//          answers each request's end with the fixed body: the floor of an NIO HTTP server.
//   raw:   no HTTP codec: a decoder that frames requests by their head and Content-Length, and
//          one prebuilt answer (head and body) written per request: the floor of NIO itself.
let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[1]), ["http1", "raw"].contains(arguments[2]) else {
    print("usage: nio-floor PORT http1|raw ANSWER-FILE")
    exit(2)
}
let mode = arguments[2]
let body = try String(contentsOfFile: arguments[3], encoding: .utf8)

final class HTTP1Answer: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let body: ByteBuffer
    init(body: ByteBuffer) { self.body = body }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// Frames requests by the end of their head and their Content-Length (enough for wrk's
/// requests), scanning the bytes in place: no String and no copy per request.
struct RawFraming: ByteToMessageDecoder {
    typealias InboundOut = Int
    static let name = Array("content-length:".utf8)

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let total: Int? = buffer.withUnsafeReadableBytes { bytes -> Int? in
            let n = bytes.count
            var i = 0
            var length = 0
            while i + 3 < n {
                let c = bytes[i]
                if c == 13, bytes[i + 1] == 10, bytes[i + 2] == 13, bytes[i + 3] == 10 { return i + 4 + length }
                if c | 0x20 == 0x63, i + Self.name.count < n {  // 'c': maybe Content-Length
                    var k = 1
                    while k < Self.name.count, bytes[i + k] | 0x20 == Self.name[k] | 0x20 { k += 1 }
                    if k == Self.name.count {
                        var j = i + k
                        while j < n, bytes[j] == 32 { j += 1 }
                        while j < n, bytes[j] >= 48, bytes[j] <= 57 {
                            length = length * 10 + Int(bytes[j] - 48)
                            j += 1
                        }
                        i = j
                        continue
                    }
                }
                i += 1
            }
            return nil
        }
        guard let total, buffer.readableBytes >= total else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: total)
        context.fireChannelRead(wrapInboundOut(1))
        return .continue
    }
}

final class RawAnswer: ChannelInboundHandler {
    typealias InboundIn = Int
    typealias OutboundOut = ByteBuffer
    let answer: ByteBuffer
    init(answer: ByteBuffer) { self.answer = answer }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(wrapOutboundOut(answer), promise: nil)
    }
    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let bodyBuffer = ByteBuffer(string: body)
let rawAnswer = ByteBuffer(
    string: "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            if mode == "http1" {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(HTTP1Answer(body: bodyBuffer))
            } else {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RawFraming()))
                try channel.pipeline.syncOperations.addHandler(RawAnswer(answer: rawAnswer))
            }
        }
    }
let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
print("nio-floor \(mode) on \(port)")
try await channel.closeFuture.get()
