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
/// let ids = try await PersistedLegIDs(store: store)
/// let registry = LegRegistry(ids: ids)
/// let pbx = SimulatedSwitch(rules: .demo, legIDs: ids)
/// ```
public final class PersistedLegIDs: LegIDSource {
    private struct Blocks {
        var next: Int64
        var end: Int64
        /// The block reserved ahead, so that a leg never waits for the store.
        var spare: (first: Int64, end: Int64)?
        var reserving = false
    }

    public let blockSize: Int64
    private let store: any EngineStore
    private let logger: Logger
    private let blocks: Mutex<Blocks>

    /// Reserves the first block now, so a store that cannot hand out ids fails at start.
    public init(store: any EngineStore, blockSize: Int64 = 100, logger: Logger = Logger(label: "coccd.legs")) async throws {
        self.store = store
        self.blockSize = blockSize
        self.logger = logger
        let first = try await store.reserveLegIDs(count: blockSize)
        blocks = Mutex(Blocks(next: first, end: first + blockSize))
    }

    public func nextLegID() -> Int64? {
        let (id, reserve) = blocks.withLock { b -> (Int64?, Bool) in
            if b.next == b.end {
                // No stand-in id when the spare has not arrived: any other source (a clock, a
                // local counter) could repeat an id another process has, or overflow a CRM's
                // column. The leg is refused instead, and a later leg finds the spare.
                guard let spare = b.spare else { return (nil, Self.startReserving(&b)) }
                b = Blocks(next: spare.first, end: spare.end, spare: nil, reserving: false)
            }
            defer { b.next += 1 }
            // Half way through a block, the next one is asked for (the store is async and may
            // be a network away; a leg id is needed synchronously, while a call starts).
            // (Counted after this id: a block of one asks for the next as soon as it is taken.)
            let reserve = b.end - (b.next + 1) <= blockSize / 2 ? Self.startReserving(&b) : false
            return (b.next, reserve)
        }
        if reserve { Task { await reserveSpare() } }
        if id == nil { logger.error("no leg id reserved yet; the leg is refused") }
        return id
    }

    private static func startReserving(_ b: inout Blocks) -> Bool {
        guard b.spare == nil, !b.reserving else { return false }
        b.reserving = true
        return true
    }

    private func reserveSpare() async {
        do {
            let first = try await store.reserveLegIDs(count: blockSize)
            blocks.withLock { b in
                b.spare = (first, first + blockSize)
                b.reserving = false
            }
        } catch {
            blocks.withLock { $0.reserving = false }
            logger.error("could not reserve leg ids", metadata: ["error": "\(error)"])
        }
    }
}
