import Logging
import Synchronization
import Testing

@testable import CoccEngine

/// The engine's write queue when the store fails or stops answering: writes stay in order,
/// none is dropped or applied twice, and `failure` says what is wrong while it lasts.
@Suite("store journal: a failing or silent store")
struct StoreJournalTests {
    struct Refused: Error {}

    @Test func aFailingWriteIsRetriedInOrderAndTheFailureReported() async throws {
        let journal = StoreJournal(logger: Logger(label: "test"), maximumBackoff: .milliseconds(20))
        let applied = Mutex<[Int]>([])
        let failuresLeft = Mutex(3)
        journal.enqueue("first") {
            let fail = failuresLeft.withLock { left -> Bool in
                defer { left -= 1 }
                return left > 0
            }
            if fail { throw Refused() }
            applied.withLock { $0.append(1) }
        }
        journal.enqueue("second") { applied.withLock { $0.append(2) } }
        #expect(await journal.flush(timeout: .milliseconds(30)) == false)
        #expect(journal.failure != nil)
        #expect(applied.withLock { $0 }.isEmpty)  // the second waits for the first
        #expect(await journal.flush(timeout: .seconds(10)))
        #expect(applied.withLock { $0 } == [1, 2])
        #expect(journal.failure == nil)
        #expect(journal.backlog == 0)
    }

    @Test func aWriteTheStoreDoesNotAnswerIsReportedAndAppliedOnce() async throws {
        let journal = StoreJournal(logger: Logger(label: "test"), stallAfter: .seconds(1))
        let (answer, answered) = AsyncStream.makeStream(of: Void.self)
        let calls = Mutex(0)
        let started = ContinuousClock.now
        journal.enqueue("silent") {
            calls.withLock { $0 += 1 }
            for await _ in answer { break }  // the store answers when the test says so
        }
        #expect(await journal.flush(timeout: .milliseconds(50)) == false)
        if ContinuousClock.now - started < .milliseconds(900) {
            #expect(journal.failure == nil)  // not yet: a slow answer is not a failure
        }
        while journal.failure == nil, ContinuousClock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(journal.failure?.contains("not answered") == true)
        #expect(journal.backlog == 1)
        answered.yield()
        #expect(await journal.flush(timeout: .seconds(10)))
        #expect(journal.failure == nil)
        #expect(calls.withLock { $0 } == 1)  // never cancelled and retried: applied once
    }
}
