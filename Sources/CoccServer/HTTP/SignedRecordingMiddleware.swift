import CoccEngine
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Guards the recordings under `/getMonitor/`: a GET or HEAD there is passed on (to the file
/// middleware) only with a valid, unexpired signature for exactly that path; anything else is
/// 403. Paths with percent-escapes are refused too: getMonitor never hands them out, and the
/// file middleware must see the very path that was signed.
struct SignedRecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    static var basePath: String { "/getMonitor" }
    let signer: RecordingURLSigner

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let raw = request.uri.path
        // Decoded as the file middleware decodes it, so that no escape can slip past this guard.
        let path = raw.removingPercentEncoding ?? raw
        guard request.method == .get || request.method == .head, path == Self.basePath || path.hasPrefix(Self.basePath + "/") else {
            return try await next(request, context)
        }
        let relative = String(path.dropFirst(Self.basePath.count + 1))
        let query = request.uri.queryParameters
        let verdict: RecordingURLSigner.Verdict =
            raw != path
            ? .badSignature
            : signer.verify(path: relative, expires: query["expires"].map(String.init), signature: query["signature"].map(String.init))
        guard verdict == .valid else {
            context.logger.debug("recording refused", metadata: ["reason": "\(verdict)"])
            let reason =
                verdict == .expired
                ? "this recording URL has expired; ask getMonitor for a new one\n"
                : "a recording URL must be the signed one getMonitor answers\n"
            return Response(
                status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: reason)))
        }
        return try await next(request, context)
    }
}
