public import CoccStorage
public import CoccSwitch
import Foundation
public import Logging
import Synchronization

/// Leg uniqueids from the store's sequence: small increasing integers (from 1000, as the
/// manual's 1555 and 19866) that fit a CRM's 32-bit column and are never handed out twice, even
/// across restarts or by several processes on one database.
///
/// Ids are reserved in blocks, so a leg costs a store write only once per `blockSize` legs;
/// a restart skips the rest of its block (gaps are harmless, repeats are not).
/// ```swift
/// let ids = try PersistedLegIDs(store: store)
/// let registry = LegRegistry(ids: ids)
/// let pbx = SimulatedSwitch(rules: .demo, legIDs: ids)
/// ```
public final class PersistedLegIDs: LegIDSource {
    private struct Block {
        var next: Int64
        var end: Int64
    }

    public let blockSize: Int64
    private let store: any EngineStore
    private let logger: Logger
    private let block: Mutex<Block>

    /// Reserves the first block now, so a store that cannot hand out ids fails at start.
    public init(store: any EngineStore, blockSize: Int64 = 100, logger: Logger = Logger(label: "coccd.legs")) throws {
        self.store = store
        self.blockSize = blockSize
        self.logger = logger
        let first = try store.reserveLegIDs(count: blockSize)
        block = Mutex(Block(next: first, end: first + blockSize))
    }

    public func nextLegID() -> Int64? {
        block.withLock { b -> Int64? in
            if b.next == b.end {
                // Held under the lock on purpose: once per block, and two callers must not both
                // reserve. A store that refuses (disk full, locked too long) gets no stand-in
                // id: any other source (a clock, a local counter) could repeat an id another
                // process has, or overflow a CRM's column. The leg is refused instead, and the
                // next leg tries the store again.
                do {
                    let first = try store.reserveLegIDs(count: blockSize)
                    b = Block(next: first, end: first + blockSize)
                } catch {
                    logger.error("could not reserve leg ids; the leg is refused", metadata: ["error": "\(error)"])
                    return nil
                }
            }
            defer { b.next += 1 }
            return b.next
        }
    }
}
