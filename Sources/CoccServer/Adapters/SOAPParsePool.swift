public import CoccSOAP
import NIOPosix
import Prometheus
import Synchronization

/// Runs libxml2 parses on a few dedicated threads, off the threads that serve requests, so that
/// expensive bodies cannot starve other clients' requests. A bounded number of parses is admitted
/// at once (running or waiting for a thread); past it a request is refused at once with a fault
/// rather than queued without end.
///
/// ```swift
/// let pool = SOAPParsePool(threads: 2, capacity: 32)
/// let request = try await pool.parse(try reader.screen(body), with: reader)
/// ```
public final class SOAPParsePool: Sendable {
    private let pool: NIOThreadPool
    private let admitted = Mutex(0)
    /// Parses admitted at once, running or waiting.
    public let capacity: Int

    /// Pools of the same size share their threads across the process.
    public init(threads: Int, capacity: Int) {
        pool = Self.pool(threads: max(1, threads))
        self.capacity = capacity
    }

    /// Parses on a pool thread; `Server busy` when `capacity` parses are already admitted.
    public func parse(_ screened: ScreenedEnvelope, with reader: SOAPEnvelopeReader) async throws(SOAPFault) -> SOAPRequest {
        let entered = admitted.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard entered else { throw SOAPFault(.server, "Server busy, try again") }
        defer { admitted.withLock { $0 -= 1 } }
        let result: Result<SOAPRequest, SOAPFault>
        do {
            result = try await pool.runIfActive { Result { () throws(SOAPFault) in try reader.parse(screened) } }
        } catch {
            throw SOAPFault(.server, "Server busy, try again")  // only when the pool is not running
        }
        return try result.get()
    }

    /// One pool per size for the whole process, started on first use and never shut down:
    /// routers come and go (every test builds some), and idle pool threads cost nothing.
    private static let pools = Mutex<[Int: NIOThreadPool]>([:])

    private static func pool(threads: Int) -> NIOThreadPool {
        pools.withLock { pools in
            if let pool = pools[threads] { return pool }
            let pool = NIOThreadPool(numberOfThreads: threads)
            pool.start()
            pools[threads] = pool
            return pool
        }
    }
}

extension OperationMetrics {
    // MetricNameDescriptor holds only `let` strings but is not declared Sendable upstream.
    nonisolated(unsafe) static let soapParses = MetricNameDescriptor(
        namespace: "coccd", metricName: "soap_parses", unitName: "total",
        helpText: "SOAP bodies handed to libxml2; bodies refused by the markup scan never are.")

    func recordSOAPParse() {
        soapParseCounter.increment()
    }
}
