public import CoccSwitch
import Foundation
import Logging

extension AsteriskSwitch {
    /// `POST /channels` with `channelId` `coccd-<uniqueid>` into the app: ringing, answer
    /// (`StasisStart`) and hangup (`ChannelDestroyed`, outcome from `Dial`) follow as events.
    public func originate(_ request: OriginateRequest) async throws -> LegInfo {
        guard isConnected else { throw SwitchError.unreachable("not connected to Asterisk") }
        guard legs[request.uniqueid] == nil else { throw SwitchError.duplicateLeg(request.uniqueid) }
        let channelID = "coccd-\(request.uniqueid)"
        let endpoint: String =
            switch request.destination {
            case .extension(let exten): configuration.endpoint(extension: exten)
            case .external(let number): configuration.endpoint(number: number, trunk: request.trunk)
            }
        var query = [
            ("endpoint", endpoint), ("app", configuration.registeredApp), ("appArgs", "coccd,\(request.context)"),
            ("timeout", String(max(1, Int(request.ringTimeout.components.seconds)))), ("channelId", channelID),
        ]
        // A Local channel has two halves; naming the second keeps its events recognisable.
        if endpoint.hasPrefix("Local/") { query.append(("otherChannelId", channelID + "-2")) }
        if !request.callerID.isEmpty { query.append(("callerId", request.callerID)) }
        // Known before the request: its first events can arrive before the response.
        legs[request.uniqueid] = Leg(
            channelID: channelID, info: LegInfo(uniqueid: request.uniqueid, channel: "", number: request.number),
            originated: true)
        byChannel[channelID] = request.uniqueid
        let response: ARIResponse
        do { response = try await send(ARIRequest("POST", "/channels", query)) } catch {
            forget(request.uniqueid)
            throw error
        }
        guard response.isSuccess else {
            forget(request.uniqueid)
            if response.status == 409 { throw SwitchError.duplicateLeg(request.uniqueid) }
            throw SwitchError.unreachable("originate \(endpoint): HTTP \(response.status)")
        }
        let name = response.json?["name"] as? String ?? endpoint
        legs[request.uniqueid]?.info.channel = name
        logger.debug("originated", metadata: ["uniqueid": "\(request.uniqueid)", "endpoint": "\(endpoint)", "channel": "\(name)"])
        return legs[request.uniqueid]?.info ?? LegInfo(uniqueid: request.uniqueid, channel: name, number: request.number)
    }

    func forget(_ uniqueid: Int64) {
        if let leg = legs.removeValue(forKey: uniqueid) { byChannel[leg.channelID] = nil }
    }

    public func hangup(uniqueid: Int64) async throws {
        let leg = try live(uniqueid)
        legs[uniqueid]?.hangupRequested = true
        let response = try await send(ARIRequest("DELETE", "/channels/\(leg.channelID)", [("reason", "normal")]))
        if response.status == 404 {
            // Asterisk no longer has it (its end fell into a WebSocket gap): end it here.
            finish(uniqueid, cause: .normal)
            return
        }
        guard response.isSuccess else { throw SwitchError.noSuchLeg(uniqueid) }
    }

    /// Hold: music of the configured class (or silence) to the held party, and its own audio
    /// muted towards the others. ARI's `POST /hold` is only an indication, silent on Local
    /// channels (fixtures, pitfall 10), so it is not used.
    public func hold(uniqueid: Int64, music: Bool) async throws {
        let leg = try up(uniqueid)
        let base = "/channels/\(leg.channelID)"
        if music {
            try await command(ARIRequest("POST", base + "/moh", [("mohClass", configuration.mohClass)]), leg: uniqueid)
        } else {
            try await command(ARIRequest("POST", base + "/silence"), leg: uniqueid)
        }
        try await command(ARIRequest("POST", base + "/mute", [("direction", "in")]), leg: uniqueid)
        legs[uniqueid]?.hold = music ? "moh" : "silence"
    }

    public func unhold(uniqueid: Int64) async throws {
        let leg = try up(uniqueid)
        let base = "/channels/\(leg.channelID)"
        if let hold = leg.hold { _ = try await send(ARIRequest("DELETE", base + "/" + hold)) }
        try await command(ARIRequest("DELETE", base + "/mute", [("direction", "in")]), leg: uniqueid)
        legs[uniqueid]?.hold = nil
    }

    /// DTMF into the leg; the far end (the other half) hears it. ARI answers before the digits
    /// are played (fixtures, pitfall 16).
    public func sendDTMF(uniqueid: Int64, digits: String) async throws {
        let leg = try up(uniqueid)
        try await command(ARIRequest("POST", "/channels/\(leg.channelID)/dtmf", [("dtmf", digits)]), leg: uniqueid)
    }

    public func setVariable(uniqueid: Int64, name: String, value: String) async throws {
        let leg = try live(uniqueid)
        try await command(ARIRequest("POST", "/channels/\(leg.channelID)/variable", [("variable", name), ("value", value)]), leg: uniqueid)
    }

    /// agentToIvr: the menu path goes into `COCCD_IVR_PATH`, the channel continues into the
    /// IVR context at `ivr`, and coccd stays subscribed to it (so its hangup there is seen).
    /// The dial plan sends it back with `Stasis(<app>,ivr-return,...)`.
    public func redirect(_ uniqueid: Int64, toIVR ivr: String, path: [String]) async throws {
        let leg = try up(uniqueid)
        try await command(
            ARIRequest(
                "POST", "/channels/\(leg.channelID)/variable", [("variable", "COCCD_IVR_PATH"), ("value", path.joined(separator: "-"))]),
            leg: uniqueid)
        if !configuration.nodeID.isEmpty {
            // On a node of a cluster the IVR returns the caller to this node's application
            // (Config/asterisk/extensions.conf: `Stasis(${COCCD_APP},ivr-return,...)`).
            try await command(
                ARIRequest(
                    "POST", "/channels/\(leg.channelID)/variable", [("variable", "COCCD_APP"), ("value", configuration.registeredApp)]),
                leg: uniqueid)
        }
        _ = try await send(
            ARIRequest("POST", "/applications/\(configuration.registeredApp)/subscription", [("eventSource", "channel:\(leg.channelID)")]))
        legs[uniqueid]?.inDialplan = true
        leave(uniqueid)
        do {
            try await command(
                ARIRequest(
                    "POST", "/channels/\(leg.channelID)/continue",
                    [("context", configuration.ivrContext), ("extension", ivr), ("priority", "1")]), leg: uniqueid)
        } catch {
            legs[uniqueid]?.inDialplan = false
            throw error
        }
    }

    /// Records what the leg hears and says: a snoop channel (`spy=both`) of it is recorded,
    /// since Asterisk cannot record a bridged channel (fixtures, 08). When the recording ends,
    /// the file is written to `path` (``collect(recording:)``: from the shared directory or over ARI).
    public func startRecording(uniqueid: Int64, path: String) async throws {
        let leg = try up(uniqueid)
        let snoop = name("rec-snoop")
        let recording = name("rec")
        try await command(
            ARIRequest(
                "POST", "/channels/\(leg.channelID)/snoop",
                [("spy", "both"), ("app", configuration.registeredApp), ("appArgs", "coccd,recorder"), ("snoopId", snoop)]), leg: uniqueid)
        recordings[recording] = Recording(uniqueid: uniqueid, path: path, snoop: snoop)
        let response = try await send(
            ARIRequest(
                "POST", "/channels/\(snoop)/record",
                [("name", recording), ("format", "wav"), ("ifExists", "overwrite")]))
        guard response.isSuccess else {
            recordings[recording] = nil
            _ = try? await send(ARIRequest("DELETE", "/channels/\(snoop)"))
            throw SwitchError.legNotUp(uniqueid)
        }
    }

    public func stopRecording(uniqueid: Int64, path: String) async throws {
        guard let (name, recording) = recordings.first(where: { $0.value.uniqueid == uniqueid && $0.value.path == path }) else {
            throw SwitchError.noSuchLeg(uniqueid)
        }
        _ = try await send(ARIRequest("POST", "/recordings/live/\(name)/stop"))
        _ = try? await send(ARIRequest("DELETE", "/channels/\(recording.snoop)"))
    }

    /// A finished recording: its file goes to the path the engine asked for, copied from the
    /// shared recording directory when one is configured, else fetched over ARI; then Asterisk's
    /// stored copy is deleted.
    func collect(recording name: String) async {
        guard let recording = recordings.removeValue(forKey: name) else { return }
        do {
            let url = URL(fileURLWithPath: recording.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let bytes: Int
            if configuration.recordingDirectory.isEmpty {
                let response = try await send(ARIRequest("GET", "/recordings/stored/\(name)/file"))
                guard response.isSuccess else { throw SwitchError.unreachable("HTTP \(response.status)") }
                try response.body.write(to: url)
                bytes = response.body.count
            } else {
                let source = URL(fileURLWithPath: configuration.recordingDirectory).appendingPathComponent(name + ".wav")
                try? FileManager.default.removeItem(at: url)
                try FileManager.default.copyItem(at: source, to: url)
                bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            }
            _ = try? await send(ARIRequest("DELETE", "/recordings/stored/\(name)"))
            logger.debug("recording stored", metadata: ["path": "\(recording.path)", "bytes": "\(bytes)"])
        } catch {
            // getMonitor then answers that the file is missing (BackMsg_404).
            logger.error(
                "could not collect a recording",
                metadata: [
                    "name": "\(name)", "from": "\(configuration.recordingDirectory.isEmpty ? "ARI" : configuration.recordingDirectory)",
                    "error": "\(error)",
                ])
        }
    }
}

extension AsteriskSwitch {
    /// ARI's `move` (fixtures, 07): the channel leaves this application (`StasisEnd` here) and
    /// enters the owner node's as a new inbound caller (`StasisStart` with the same `inbound`
    /// arguments the dial plan gives). The leg is forgotten first, so the `StasisEnd` that
    /// follows ends nothing here; a refused move gives it back.
    public func handOver(uniqueid: Int64, toNode node: String, called: String, tenant: String, priority: Int) async throws {
        guard !configuration.nodeID.isEmpty else { throw SwitchError.unsupported("not a node of a cluster") }
        let leg = try live(uniqueid)
        legs[uniqueid] = nil
        byChannel[leg.channelID] = nil
        let target = configuration.clusterApp(node: node)
        let response = try? await send(
            ARIRequest(
                "POST", "/channels/\(leg.channelID)/move", [("app", target), ("appArgs", "inbound,\(called),\(tenant),\(priority)")]))
        guard let response, response.isSuccess else {
            legs[uniqueid] = leg
            byChannel[leg.channelID] = uniqueid
            throw SwitchError.unreachable("ARI move to \(target) failed (status \(response?.status ?? 0))")
        }
        logger.info("inbound call moved to another node's application", metadata: ["uniqueid": "\(uniqueid)", "app": "\(target)"])
    }
}
