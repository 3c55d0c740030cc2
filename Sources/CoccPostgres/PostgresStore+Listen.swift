public import CoccStorage
import Logging
import PostgresNIO
import Synchronization

/// `LISTEN` on connections of the store's own, beside the pool (a pooled connection would go
/// back to the pool and stop listening): directory changes and event appends.
extension PostgresStore {
    /// Yields when another node (or this one) appended an event: `coccd_events` carries
    /// `<team>:<eventid>`. A `resync` signal comes first and after every reconnection: events
    /// may have been appended while nobody listened.
    public func eventAppendSignals() -> AsyncStream<EventAppendSignal>? {
        signals(channel: "coccd_events") { payload in
            guard let payload else { return .resync }
            let parts = payload.split(separator: ":")
            return EventAppendSignal(teamID: parts.first.flatMap { Int64($0) }, eventid: parts.dropFirst().first.flatMap { Int64($0) })
        }
    }

    /// A stream of `channel`'s notifications, each turned into an element by `element` (nil
    /// payload: listening has (re)started). A lost connection is reopened with a growing pause
    /// (0.5 s to 30 s); a connection that died silently is found by a `SELECT 1` every 30 s.
    func signals<Element: Sendable>(channel: String, _ element: @escaping @Sendable (String?) -> Element) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(4_096))
        let id: Int? = listeners.withLock { state in
            guard !state.closed else { return nil }
            state.next += 1
            return state.next
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        let task = Task { [self] in
            await self.keepListening(channel: channel) { payload in continuation.yield(element(payload)) }
            continuation.finish()
            _ = self.listeners.withLock { $0.tasks.removeValue(forKey: id) }
        }
        listeners.withLock { $0.tasks[id] = task }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Listens until the connection fails (or the task is cancelled): yields nil once listening
    /// has started, then each payload, and checks the connection every 30 s.
    private func listen(
        on connection: PostgresConnection, channel: String, _ yield: @escaping @Sendable (String?) -> Void, started: () -> Void
    ) async throws {
        try await connection.listen(on: channel) { notifications in
            started()
            yield(nil)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await notification in notifications { yield(notification.payload) }
                    throw PostgresStoreError(endpoint: self.endpoint, operation: "listen", message: "notifications ended")
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(30))
                        try await self.withDeadline(.seconds(10), operation: "listen keepalive") {
                            try await connection.run("SELECT 1", self.logger)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private func keepListening(channel: String, _ yield: @escaping @Sendable (String?) -> Void) async {
        var pause = Duration.milliseconds(500)
        while !Task.isCancelled {
            do {
                let connection = try await Self.connect(connectionConfiguration, location: location, logger: logger)
                do {
                    try await listen(on: connection, channel: channel, yield) { pause = .milliseconds(500) }
                    try? await connection.close()
                } catch {
                    try? await connection.close()
                    throw error
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "postgresql listener lost; reconnecting",
                    metadata: [
                        "channel": "\(channel)", "store": "\(endpoint)",
                        "error": "\(PostgresStoreError.wrapping(error, endpoint: endpoint, operation: "listen"))",
                    ])
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                return
            }
            pause = min(pause * 2, .seconds(30))
        }
    }
}
