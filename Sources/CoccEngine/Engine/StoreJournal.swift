public import CoccStorage
import Foundation
public import Logging
import Synchronization

/// One team's store writes, applied in the order the engine made them, by one task at a time.
///
/// The engine changes its state inside the actor without awaiting the store (an `await` there
/// would let another request interleave halfway through a change); each change queues its
/// writes here instead, and the operation that made them awaits ``flush(timeout:)`` before it
/// answers, so a success on the wire means the change is durable. A write that fails is kept
/// and retried in order (the database may be restarting): nothing the engine did is dropped,
/// and events reach readers only once they are in the log.
///
/// ```swift
/// journal.enqueue("session") { try await store.saveSession(session) }
/// guard await journal.flush(timeout: .seconds(5)) else { return .failure(.storageError) }
/// ```
public final class StoreJournal: Sendable {
    typealias Write = @Sendable () async throws -> Void

    private struct Entry {
        let sequence: UInt64
        let what: String
        let write: Write
    }

    private struct Waiter {
        let sequence: UInt64
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var pending: [Entry] = []
        var enqueued: UInt64 = 0
        var applied: UInt64 = 0
        var draining = false
        /// Why the last write failed, while writes are failing.
        var failure: String?
        /// The team's lease moved on: nothing more is written (see ``StoreFence``).
        var fenced: StoreFenceError?
        /// The first write dropped when the journal was fenced out: a flush for writes before
        /// it succeeded, one for it or later ones did not.
        var droppedFrom: UInt64 = .max
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())
    private let logger: Logger
    /// Pauses between retries of a failing write: short first, then at most `maximumBackoff`.
    let maximumBackoff: Duration
    /// How long a write may go unanswered before the journal reports the store as failing.
    let stallAfter: Duration

    /// The lease every write is made under (a cluster node's team), or nil (one node).
    public let fence: StoreFence?

    public init(logger: Logger, fence: StoreFence? = nil, maximumBackoff: Duration = .seconds(2), stallAfter: Duration = .seconds(2)) {
        self.logger = logger
        self.fence = fence
        self.maximumBackoff = maximumBackoff
        self.stallAfter = stallAfter
    }

    /// Why writes are failing now, or nil when the store takes them.
    public var failure: String? { state.withLock { $0.failure } }

    /// Set once the store refused a write because the team's lease moved to another node (or
    /// epoch): the journal then drops what is queued and takes nothing more, since applying it
    /// would change a team another node now runs.
    public var fencedOut: StoreFenceError? { state.withLock { $0.fenced } }

    /// How many writes were ever queued: a caller compares two readings to learn whether
    /// something was queued in between.
    public var enqueuedCount: UInt64 { state.withLock { $0.enqueued } }

    /// Writes queued and not yet applied.
    public var backlog: Int { state.withLock { $0.pending.count } }

    /// Queues `write` after every write queued before it; never blocks and never fails.
    func enqueue(_ what: String, _ write: @escaping Write) {
        let start = state.withLock { s -> Bool in
            s.enqueued += 1
            guard s.fenced == nil else { return false }  // dropped (fenceOut's droppedFrom covers it)
            s.pending.append(Entry(sequence: s.enqueued, what: what, write: write))
            guard !s.draining else { return false }
            s.draining = true
            return true
        }
        // A task per busy spell rather than a service: the journal must work wherever an engine
        // runs (tests, the CLI, benchmarks), with or without a ServiceGroup, and it ends itself
        // when the queue is empty.
        if start { Task { await drain() } }
    }

    /// Waits until every write queued before this call is applied; false when `timeout` passed
    /// first (the writes stay queued and are still applied when the store comes back).
    public func flush(timeout: Duration) async -> Bool {
        let (target, waiter, fenced) = state.withLock { s -> (UInt64, UInt64?, Bool) in
            if s.fenced != nil { return (s.enqueued, nil, s.enqueued >= s.droppedFrom) }
            guard s.applied < s.enqueued else { return (s.enqueued, nil, false) }
            s.nextWaiter += 1
            return (s.enqueued, s.nextWaiter, false)
        }
        if fenced { return false }
        guard let waiter else { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    // nil: parked; else the answer now (fenced out meanwhile: only writes before
                    // the first dropped one count as stored).
                    let answer = self.state.withLock { s -> Bool? in
                        if s.fenced != nil { return target < s.droppedFrom }
                        if s.applied >= target { return true }
                        s.waiters.append(Waiter(sequence: target, id: waiter, continuation: continuation))
                        return nil
                    }
                    if let answer { continuation.resume(returning: answer) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.release(waiter: waiter)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            // The other child: the sleeper returns at once when cancelled; the waiter is
            // released by `release` (timeout) or has resumed (applied).
            self.release(waiter: waiter)
            return first
        }
    }

    /// Reads from the store in the journal's order: the read sees exactly the writes queued
    /// before it (read-your-writes for the engine), and none queued after. Throws
    /// ``StoreJournalError/timedOut`` when earlier writes or the read itself take longer than
    /// `timeout` (the store is away); the read's error when it fails.
    public func read<T: Sendable>(_ what: String, timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let box = Mutex<Result<T, any Error>?>(nil)
        // The entry never throws: a failed read is answered, not retried like a write.
        enqueue(what) {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
        }
        guard await flush(timeout: timeout) else { throw StoreJournalError.timedOut(what) }
        guard let result = box.withLock({ $0 }) else { throw StoreJournalError.timedOut(what) }
        return try result.get()
    }

    /// The lease moved on: everything queued is dropped (logged once), every waiter answered
    /// false, and later writes are refused at once.
    private func fenceOut(_ error: StoreFenceError, at entry: Entry) {
        let (dropped, woken) = state.withLock { s -> (Int, [CheckedContinuation<Bool, Never>]) in
            let dropped = s.pending.count
            s.pending.removeAll()
            s.fenced = error
            s.failure = "\(error)"
            s.draining = false
            s.droppedFrom = entry.sequence
            // Every waiter still parked waits for this write or a later one: none was stored.
            defer { s.waiters.removeAll() }
            return (dropped, s.waiters.map(\.continuation))
        }
        logger.error(
            "team writes refused: its lease moved to another node; queued writes dropped",
            metadata: ["write": "\(entry.what)", "dropped": "\(dropped)", "fence": "\(error.fence)"])
        for continuation in woken { continuation.resume(returning: false) }
    }

    /// Resumes a waiter that is still parked (with false: it timed out or was abandoned).
    private func release(waiter id: UInt64) {
        let parked = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return s.waiters.remove(at: index).continuation
        }
        parked?.resume(returning: false)
    }

    private func drain() async {
        var backoff = Duration.milliseconds(50)
        while let entry = state.withLock({ s -> Entry? in
            if s.pending.isEmpty { s.draining = false }
            return s.pending.first
        }) {
            // A write is never cancelled once started (it may have been committed, and a
            // retry would apply it twice); a store that neither answers nor fails (a pool
            // waiting for a server that is down) is reported as failing after `stallAfter`.
            let watchdog = Task { [stallAfter, logger] in
                try await Task.sleep(for: stallAfter)
                let first = state.withLock { s -> Bool in
                    guard s.applied < entry.sequence, s.failure == nil else { return false }
                    s.failure = "the store has not answered a write for \(stallAfter)"
                    return true
                }
                if first {
                    logger.error(
                        "store write failed: no answer yet; kept, it is applied when the store answers",
                        metadata: ["write": "\(entry.what)", "waited": "\(stallAfter)"])
                }
            }
            defer { watchdog.cancel() }
            do {
                try await StoreFence.$current.withValue(fence) { try await entry.write() }
            } catch let error as StoreFenceError {
                fenceOut(error, at: entry)
                return
            } catch {
                let first = state.withLock { s -> Bool in
                    defer { s.failure = "\(error)" }
                    return s.failure == nil
                }
                // Once per outage at error level, then quietly: a database restart would
                // otherwise fill the log with one line per retry.
                if first {
                    logger.error(
                        "store write failed; kept and retried in order", metadata: ["write": "\(entry.what)", "error": "\(error)"])
                } else {
                    logger.debug("store write still failing", metadata: ["write": "\(entry.what)", "error": "\(error)"])
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, maximumBackoff)
                continue
            }
            backoff = .milliseconds(50)
            let (woken, recovered) = state.withLock { s -> ([CheckedContinuation<Bool, Never>], Bool) in
                s.pending.removeFirst()
                s.applied = entry.sequence
                let recovered = s.failure != nil
                s.failure = nil
                let ready = s.waiters.filter { $0.sequence <= s.applied }
                s.waiters.removeAll { $0.sequence <= s.applied }
                return (ready.map(\.continuation), recovered)
            }
            if recovered { logger.notice("store writes recovered", metadata: ["backlog": "\(backlog)"]) }
            for continuation in woken { continuation.resume(returning: true) }
        }
    }
}

/// Why a journal read gave up.
public enum StoreJournalError: Error, CustomStringConvertible, Equatable {
    /// The store did not answer in time (earlier writes are still pending).
    case timedOut(String)
    public var description: String {
        switch self {
        case .timedOut(let what): return "the store did not answer in time (\(what))"
        }
    }
}
