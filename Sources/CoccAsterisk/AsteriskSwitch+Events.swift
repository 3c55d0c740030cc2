public import CoccSwitch
import Logging

/// What the events WebSocket says, turned into the engine's notifications. Only channels coccd
/// knows count: the second half of a Local pair, and channels outside the app, are ignored
/// (fixtures, pitfalls 2 and 3).
extension AsteriskSwitch {
    func receive(_ event: ARIEvent) async {
        if event.type.hasPrefix("Recording") {
            if event.type == "RecordingFinished" || event.type == "RecordingFailed", let name = event.recordingName {
                await collect(recording: name)
            }
            return
        }
        guard let channel = event.channelID else { return }
        guard let uniqueid = byChannel[channel], let leg = legs[uniqueid], !leg.down else {
            if event.type == "StasisStart", event.args.first == "inbound" { await acceptInbound(event, channel: channel) }
            return
        }
        switch event.type {
        case "Dial":
            if let status = event.dialStatus, !status.isEmpty { legs[uniqueid]?.dialStatus = status }
            if event.dialStatus == "RINGING" { ringing(uniqueid) }
        case "ChannelStateChange":
            if event.channelState == "Ringing" { ringing(uniqueid) }
            if event.channelState == "Up", leg.originated { answered(uniqueid) }
        case "StasisStart":
            // An originated leg enters the app when it is answered; a caller back from the IVR.
            if event.args.contains("ivr-return") { legs[uniqueid]?.inDialplan = false }
            if leg.originated { answered(uniqueid) }
        case "StasisEnd":
            // Final for a channel that came from the dial plan (no ChannelDestroyed follows),
            // unless coccd itself sent it into the IVR.
            if !leg.originated && !leg.inDialplan { finish(uniqueid, cause: .normal) }
        case "ChannelDestroyed":
            finish(uniqueid, cause: Self.cause(of: legs[uniqueid] ?? leg, ariCause: event.cause ?? 0))
        default:
            break
        }
    }

    func ringing(_ uniqueid: Int64) {
        guard legs[uniqueid]?.rang == false else { return }
        legs[uniqueid]?.rang = true
        notify(.ringing(uniqueid: uniqueid))
    }

    func answered(_ uniqueid: Int64) {
        guard legs[uniqueid]?.answered == false else { return }
        legs[uniqueid]?.answered = true
        notify(.answered(uniqueid: uniqueid))
    }

    /// The leg is gone: it leaves its bridge, its spies end, the engine is told once.
    func finish(_ uniqueid: Int64, cause: HangupCause) {
        guard let leg = legs[uniqueid], !leg.down else { return }
        legs[uniqueid]?.down = true
        leave(uniqueid)
        endSpies(of: uniqueid)
        byChannel[leg.channelID] = nil
        notify(.hungUp(uniqueid: uniqueid, cause: cause))
    }

    /// How an originated leg ended. The outcome is `Dial`'s last status, not the `;1` half's
    /// cause, which is 0 for busy and congestion (fixtures, pitfall 5); a leg that rang out
    /// gets cause 19 with no final `Dial`.
    static func cause(of leg: Leg, ariCause: Int) -> HangupCause {
        if leg.answered || leg.hangupRequested { return .normal }
        switch leg.dialStatus {
        case "BUSY": return .busy
        case "NOANSWER": return ariCause == 21 ? .failed : .noAnswer
        case "CONGESTION", "CHANUNAVAIL", "CANCEL", "DONTCALL", "TORTURE", "INVALIDARGS": return .failed
        default: break
        }
        switch ariCause {
        case 17: return .busy
        case 18, 19: return .noAnswer
        default: return .failed
        }
    }

    /// A caller the dial plan sent in: `Stasis(<app>,inbound,<called>,<tenant>[,<priority>])`.
    /// It is answered into the app and handed to the engine as `incoming`.
    func acceptInbound(_ event: ARIEvent, channel: String) async {
        guard event.args.count >= 3 else {
            logger.warning(
                "inbound call without called number and tenant; hung up", metadata: ["channel": "\(channel)", "args": "\(event.args)"])
            _ = try? await send(ARIRequest("DELETE", "/channels/\(channel)"))
            return
        }
        guard let uniqueid = legIDs.nextLegID() else {
            _ = try? await send(ARIRequest("DELETE", "/channels/\(channel)", [("reason", "congestion")]))
            return
        }
        let info = LegInfo(uniqueid: uniqueid, channel: event.channelName ?? channel, number: event.callerNumber ?? "")
        legs[uniqueid] = Leg(channelID: channel, info: info, originated: false, rang: true, answered: true)
        byChannel[channel] = uniqueid
        let answer = try? await send(ARIRequest("POST", "/channels/\(channel)/answer"))
        guard answer?.isSuccess == true, legs[uniqueid]?.down == false else {
            finish(uniqueid, cause: .failed)
            return
        }
        let priority = event.args.count > 3 ? Int(event.args[3]) ?? 0 : 0
        logger.info("inbound call", metadata: ["uniqueid": "\(uniqueid)", "called": "\(event.args[1])", "tenant": "\(event.args[2])"])
        notify(.incoming(leg: info, called: event.args[1], tenant: event.args[2], priority: priority))
    }

    /// After a (re)connect: legs whose channel Asterisk no longer has ended while coccd was not
    /// listening (events in a WebSocket gap are lost, fixtures 09), so they end now.
    func reconcile() async {
        if !connectedBefore {
            connectedBefore = true
            await hangUpOrphans()
        }
        guard let response = try? await send(ARIRequest("GET", "/channels")), response.isSuccess, let list = response.jsonArray else {
            logger.warning("could not list Asterisk's channels after connecting")
            return
        }
        let present = Set(list.compactMap { $0["id"] as? String })
        for (uniqueid, leg) in legs where !leg.down && !present.contains(leg.channelID) {
            logger.notice("leg ended while disconnected", metadata: ["uniqueid": "\(uniqueid)", "channel": "\(leg.channelID)"])
            finish(uniqueid, cause: leg.answered ? .normal : .failed)
        }
    }

    /// Channels left in the application by a previous coccd (it crashed with calls up): this
    /// process knows none of them, and the engine ends their calls at start-up, so they are hung
    /// up. Only on the first connection: later, every channel in the app is one coccd knows.
    func hangUpOrphans() async {
        guard let response = try? await send(ARIRequest("GET", "/applications/\(configuration.registeredApp)")), response.isSuccess,
            let ids = response.json?["channel_ids"] as? [String]
        else { return }
        // A Local pair's second half goes with its first.
        let orphans = ids.filter { byChannel[$0] == nil && !$0.hasSuffix("-2") }
        for id in orphans {
            logger.notice("hanging up a channel left by a previous run", metadata: ["channel": "\(id)"])
            _ = try? await send(ARIRequest("DELETE", "/channels/\(id)"))
        }
    }
}
