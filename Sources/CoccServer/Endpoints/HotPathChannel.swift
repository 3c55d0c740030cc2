import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with ``HotPathHandler`` added after its connection-state
/// handler, where it sees requests after every guard and before the routes; without endpoints,
/// the channel as it is.
///
/// ```swift
/// HotPathChannel(HTTP1Channel(responder: responder, configuration: http1), endpoints: endpoints)
/// ```
struct HotPathChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let endpoints: HotEndpoints?

    init(_ base: Base, endpoints: HotEndpoints?) {
        self.base = base
        self.endpoints = endpoints
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard let endpoints else { return base.setup(channel: channel, logger: logger) }
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(QuiesceObserver(), position: .before(state))
            try pipeline.addHandler(HotPathHandler(endpoints: endpoints), position: .after(state))
            return value
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
