import CoccSwitch
import Foundation
import Logging
import Metrics
public import ServiceLifecycle
import WSClient

/// The driver's life: connect the events WebSocket, reconcile, read events until the socket
/// drops, reconnect with backoff; notifications go to ``notifications`` all along. Graceful
/// shutdown ends it.
extension AsteriskSwitch: Service {
    public nonisolated func run() async throws {
        let gauge = Gauge(label: "coccd_switch_connected")
        gauge.record(0)
        await connectionLoop(gauge: gauge)
        // The engine's reader ends with the driver.
        notifications.finish()
        gauge.record(0)
    }

    nonisolated func connectionLoop(gauge: Gauge) async {
        var delay = configuration.reconnectMinimumSeconds
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Graceful shutdown cancels the session, which closes the socket even when
                // no event is coming.
                try await cancelWhenGracefulShutdown { try await self.connectOnce(gauge: gauge) }
                delay = configuration.reconnectMinimumSeconds
                logger.warning("Asterisk events WebSocket closed; reconnecting", metadata: ["retry_in_s": "\(delay)"])
            } catch {
                // Stopping (shutdown or the task cancelled) is not Asterisk being unreachable.
                if Task.isShuttingDownGracefully || Task.isCancelled || error is CancellationError { break }
                // The events URL carries the ARI credentials (api_key): never in a log line.
                let text = "\(error)"
                let reason = configuration.password.isEmpty ? text : text.replacingOccurrences(of: configuration.password, with: "***")
                // A refused upgrade is ARI saying no: wrong credentials or no such user (ari.conf).
                let hint = reason.contains("upgrade") ? "check COCCD_ARI_USERNAME/COCCD_ARI_PASSWORD against ari.conf" : ""
                logger.error(
                    "Asterisk unreachable",
                    metadata: [
                        "url": "\(configuration.url)", "error": "\(reason)", "retry_in_s": "\(delay)", "hint": "\(hint)",
                    ])
            }
            setConnected(false)
            gauge.record(0)
            if Task.isShuttingDownGracefully { break }
            // The backoff wait ends early on shutdown.
            let wait = Duration.milliseconds(Int64(delay * 1000))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            delay = min(configuration.reconnectMaximumSeconds, delay * 2)
        }
    }

    /// One WebSocket session: returns when it closes.
    nonisolated func connectOnce(gauge: Gauge) async throws {
        try await WebSocketClient.connect(url: configuration.eventsURL, logger: logger) { inbound, _, _ in
            self.setConnected(true)
            gauge.record(1)
            self.logger.notice(
                "connected to Asterisk", metadata: ["url": "\(self.configuration.url)", "app": "\(self.configuration.registeredApp)"])
            await self.reconcile()
            for try await message in inbound.messages(maxSize: 1 << 22) {
                if Task.isShuttingDownGracefully { break }
                guard case .text(let text) = message, let event = ARIEvent(json: Data(text.utf8)) else { continue }
                await self.receive(event)
            }
        }
    }
}
