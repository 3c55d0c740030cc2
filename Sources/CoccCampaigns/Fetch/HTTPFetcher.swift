import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads an http(s) URL to a file, enforcing the policy's host allow-list (redirects
/// included), size cap and timeout while the bytes arrive.
final class HTTPFetcher: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked: the delegate's state is only touched on the session's serial delegate queue.
    private let policy: FetchPolicy
    private let output: FileHandle
    private var written = 0
    private var failure: FetchError?
    private var status = 0
    private var continuation: CheckedContinuation<Void, any Error>?

    init(policy: FetchPolicy, output: FileHandle) {
        self.policy = policy
        self.output = output
    }

    static func fetch(_ url: URL, user: String, password: String, policy: FetchPolicy, to path: String) async throws {
        guard let host = url.host, policy.allows(host: host) else { throw FetchError.hostNotAllowed(url.host ?? "") }
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw FetchError.storage(path) }
        defer { try? handle.close() }
        let fetcher = HTTPFetcher(policy: policy, output: handle)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = policy.timeout
        configuration.timeoutIntervalForResource = policy.timeout
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: fetcher, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: url)
        if !user.isEmpty || !password.isEmpty {
            request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        }
        let prepared = request
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.addOperation {
                fetcher.continuation = continuation
                session.dataTask(with: prepared).resume()
            }
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if response.expectedContentLength > Int64(policy.maxBytes) { failure = .tooLarge(policy.maxBytes); completionHandler(.cancel); return }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        written += data.count
        if written > policy.maxBytes {
            failure = .tooLarge(policy.maxBytes)
            dataTask.cancel()
            return
        }
        do { try output.write(contentsOf: data) } catch { failure = .storage("\(error)"); dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        // A redirect is a new fetch: the allow-list applies to where it goes.
        guard let host = request.url?.host, policy.allows(host: host) else {
            failure = .hostNotAllowed(request.url?.host ?? "")
            completionHandler(nil)
            return
        }
        completionHandler(request)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let result: FetchError? = failure ?? {
            if let error { return .failed("fetch failed: \(error.localizedDescription)") }
            if status == 404 || status == 410 { return .notFound }
            if !(200..<300).contains(status) { return .failed("HTTP status \(status)") }
            return nil
        }()
        if let result { continuation?.resume(throwing: result) } else { continuation?.resume() }
        continuation = nil
    }
}
