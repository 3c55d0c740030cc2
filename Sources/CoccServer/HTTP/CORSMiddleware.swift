import HTTPTypes
import Hummingbird

/// Cross-origin access for the configured origins (`*` for any): agent pages usually live on
/// another origin and POST forms to `/coccinterfaces`. Preflights are answered here.
struct OriginCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>

    func allowedOrigin(_ origin: String) -> String? {
        if origins.contains("*") { return "*" }
        return origins.contains(origin) ? origin : nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], let allowed = allowedOrigin(origin) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [
                .accessControlAllowOrigin: allowed,
                .accessControlAllowMethods: "GET, POST, HEAD, OPTIONS",
                .accessControlAllowHeaders: request.headers[.accessControlRequestHeaders] ?? "Content-Type, SOAPAction",
                .accessControlMaxAge: "600",
            ]
            if allowed != "*" { headers[.vary] = "Origin" }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowed
        // Long-poll pages read their cursor from these.
        response.headers[.accessControlExposeHeaders] = "Etag, Last-Modified"
        if allowed != "*" { response.headers[.vary] = "Origin" }
        return response
    }
}
