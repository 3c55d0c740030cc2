import CoccStorage
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads an http(s) URL to a file, enforcing the policy's host allow-list (redirects
/// included), size cap and one deadline for the whole fetch while the bytes arrive. Credentials
/// (`source_user`/`source_pwd`, or the URL's userinfo) go only to the origin they were given for:
/// a redirect to another scheme, host or port is followed without them.
final class HTTPFetcher: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked: the delegate's state is only touched on the session's serial delegate queue.
    private let policy: FetchPolicy
    private let output: FileHandle
    private let origin: FetchPolicy.Origin?
    private let authorization: String?
    private var written = 0
    private var failure: FetchError?
    private var status = 0
    private var continuation: CheckedContinuation<Void, any Error>?

    init(policy: FetchPolicy, output: FileHandle, origin: FetchPolicy.Origin?, authorization: String?) {
        self.policy = policy
        self.output = output
        self.origin = origin
        self.authorization = authorization
    }

    static func fetch(_ url: URL, user: String, password: String, policy: FetchPolicy, to path: String) async throws {
        guard let host = url.host, policy.allows(host: host) else { throw FetchError.hostNotAllowed(url.host ?? "") }
        // Userinfo never reaches the HTTP stack (which would send it wherever it goes next).
        let split = URLUserinfo.split(url)
        guard let bare = URL(string: split.url) else { throw FetchError.failed("bad URL") }
        let (user, password) = user.isEmpty && password.isEmpty ? (split.user, split.password) : (user, password)
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw FetchError.storage(path) }
        defer { try? handle.close() }
        let authorization = user.isEmpty && password.isEmpty ? nil : "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        let fetcher = HTTPFetcher(policy: policy, output: handle, origin: FetchPolicy.Origin(bare), authorization: authorization)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = policy.timeout
        configuration.timeoutIntervalForResource = policy.timeout
        configuration.urlCredentialStorage = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: fetcher, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: bare)
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let prepared = request
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.addOperation {
                fetcher.continuation = continuation
                let task = session.dataTask(with: prepared)
                task.resume()
                // One deadline for the whole fetch, however the server paces its bytes.
                DispatchQueue.global().asyncAfter(deadline: .now() + policy.timeout) { [weak fetcher] in
                    queue.addOperation { [fetcher] in fetcher?.expire(task) }
                }
            }
        }
    }

    private func expire(_ task: URLSessionTask) {
        guard continuation != nil else { return }
        if failure == nil { failure = .timedOut(policy.timeout) }
        task.cancel()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if response.expectedContentLength > Int64(policy.maxBytes) {
            failure = .tooLarge(policy.maxBytes)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        written += data.count
        if written > policy.maxBytes {
            failure = .tooLarge(policy.maxBytes)
            dataTask.cancel()
            return
        }
        do { try output.write(contentsOf: data) } catch {
            failure = .storage("\(error)")
            dataTask.cancel()
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        // A redirect is a new fetch: the allow-list applies to where it goes.
        guard let url = request.url, let host = url.host, policy.allows(host: host) else {
            failure = .hostNotAllowed(request.url?.host ?? "")
            completionHandler(nil)
            return
        }
        // The credentials go only to the origin they were given for; userinfo in the Location
        // is dropped too.
        var next = request
        if let bare = URL(string: URLUserinfo.split(url).url) { next.url = bare }
        let sameOrigin = origin != nil && FetchPolicy.Origin(url) == origin
        next.setValue(sameOrigin ? authorization : nil, forHTTPHeaderField: "Authorization")
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let result: FetchError? =
            failure
            ?? {
                if let error { return .failed("fetch failed: \(error.localizedDescription)") }
                if status == 404 || status == 410 { return .notFound }
                if !(200..<300).contains(status) { return .failed("HTTP status \(status)") }
                return nil
            }()
        if let result { continuation?.resume(throwing: result) } else { continuation?.resume() }
        continuation = nil
    }
}
