import Synchronization

/// What a local file server was asked, in order: path and Authorization header.
final class RequestLog: Sendable {
    struct Seen: Equatable, Sendable, CustomStringConvertible {
        var path: String
        var authorization: String?
        var description: String { "\(path) \(authorization ?? "-")" }
    }
    private let entries = Mutex<[Seen]>([])
    func add(_ path: String, _ authorization: String?) { entries.withLock { $0.append(Seen(path: path, authorization: authorization)) } }
    var all: [Seen] { entries.withLock { $0 } }
}

/// A gate a handler waits at until the test opens it; `arrived` says someone is waiting.
actor Latch {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var arrivals = 0

    func wait() async {
        arrivals += 1
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for w in waiters { w.resume() }
        waiters.removeAll()
    }
}
