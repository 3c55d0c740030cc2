import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// A JSON answer that no cache keeps (per-user data: import tasks, the live view, call records).
    static func jsonNoStore(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
