import CoccEngine
import CoccStorage
import Foundation

/// The store's part of `GET /health`: whether it answers a trivial query within a bound, and
/// whether the engine's writes are getting through (``StoreJournal``).
enum StoreHealth {
    /// Why the store is not healthy, or nil. Never waits longer than `timeout`.
    static func problem(center: CallCenter, timeout: Duration) async -> String? {
        if let failure = center.storeWriteFailure { return "writes failing: \(failure)" }
        let store = center.store
        return await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await store.check()
                    return nil
                } catch { return "\(error)" }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return "no answer within \(timeout)"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// A flat JSON object of strings, in the given order (the keys' order is part of what ops
    /// scripts compare).
    static func json(_ fields: [(String, String)]) -> String {
        let encoder = JSONEncoder()
        func quoted(_ s: String) -> String {
            (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        }
        return "{" + fields.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
    }
}
