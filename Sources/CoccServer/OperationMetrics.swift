public import Prometheus
import Synchronization

/// Request counts and latencies per operation and interface, served as Prometheus text.
///
/// It owns its registry rather than bootstrapping the process-wide `MetricsSystem`, so every
/// application (and every test) has its own figures.
public struct OperationMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    // MetricNameDescriptor holds only `let` strings but is not declared Sendable upstream.
    nonisolated(unsafe) static let requests = MetricNameDescriptor(
        namespace: "coccd", metricName: "requests", unitName: "total",
        helpText: "Operations answered, by operation, interface and reply code.")
    nonisolated(unsafe) static let duration = MetricNameDescriptor(
        namespace: "coccd", metricName: "request_duration", unitName: "seconds",
        helpText: "Time to answer an operation, by operation and interface.")
    nonisolated(unsafe) static let rejected = MetricNameDescriptor(
        namespace: "coccd", metricName: "rejected_requests", unitName: "total",
        helpText: "Requests refused before an operation ran, by reason.")

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The series one answered operation updates, found once per label set: the registry's
    /// lookup (labels formatted, sorted and checked under its lock) was 2.6% of an agentStatus.
    /// Bounded: the catalogue's operations × three interfaces × the reply codes.
    private struct SeriesKey: Hashable {
        var operation: String
        var interface: String
        var code: Int
    }

    private final class Series: Sendable {
        let handles = Mutex<[SeriesKey: (Counter, DurationHistogram)]>([:])
        let soapParses = Mutex<Counter?>(nil)
    }

    /// Made on the first parse, so that the series appears once there is one.
    var soapParseCounter: Counter {
        series.soapParses.withLock { counter in
            if let counter { return counter }
            let made = registry.makeCounter(descriptor: Self.soapParses)
            counter = made
            return made
        }
    }

    private let series = Series()

    func record(operation: String, interface: String, code: Int, duration: Duration) {
        let key = SeriesKey(operation: operation, interface: interface, code: code)
        let found = series.handles.withLock { $0[key] }
        let (counter, histogram) =
            found
            ?? {
                let made = (
                    registry.makeCounter(
                        descriptor: Self.requests, labels: [("operation", operation), ("interface", interface), ("code", String(code))]),
                    registry.makeDurationHistogram(
                        descriptor: Self.duration, labels: [("operation", operation), ("interface", interface)], buckets: Self.buckets)
                )
                series.handles.withLock { $0[key] = made }
                return made
            }()
        counter.increment()
        histogram.record(duration)
    }

    /// Requests refused before reaching an operation: faults, oversized bodies, unknown names.
    func recordRejected(interface: String, reason: String) {
        registry.makeCounter(descriptor: Self.rejected, labels: [("interface", interface), ("reason", reason)]).increment()
    }

    nonisolated(unsafe) static let delivered = MetricNameDescriptor(
        namespace: "coccd", metricName: "events_delivered", unitName: "total", helpText: "Events a team's backend accepted.")
    nonisolated(unsafe) static let deliveryFailures = MetricNameDescriptor(
        namespace: "coccd", metricName: "event_delivery_failures", unitName: "total", helpText: "Failed POSTs to a team's backend.")
    nonisolated(unsafe) static let deliveryDead = MetricNameDescriptor(
        namespace: "coccd", metricName: "event_delivery_dead", unitName: "state",
        helpText: "1 while a team's event delivery is dead-lettered.")

    func eventDelivered(team: String) {
        registry.makeCounter(descriptor: Self.delivered, labels: [("team", team)]).increment()
    }

    func eventDeliveryFailed(team: String) {
        registry.makeCounter(descriptor: Self.deliveryFailures, labels: [("team", team)]).increment()
    }

    func eventDeliveryDead(team: String, dead: Bool) {
        registry.makeGauge(descriptor: Self.deliveryDead, labels: [("team", team)]).set(to: dead ? 1.0 : 0.0)
    }

    public func text() -> String { registry.emitToString() }
}
