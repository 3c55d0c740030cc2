public import CoccSwitch
import Logging

/// Bridges: every connection of legs is an ARI mixing bridge that coccd creates and deletes.
/// `addChannel` moves a channel out of the bridge it was in (fixtures, 04), so a leg is in at
/// most one bridge, which the driver tracks to delete bridges left empty.
extension AsteriskSwitch {
    public func bridge(_ a: Int64, _ b: Int64) async throws {
        try await join([a, b])
    }

    public func conference(_ ids: [Int64]) async throws {
        try await join(ids)
    }

    /// Puts the legs together in one mixing bridge: one they share already when it holds no one
    /// else, else a new one.
    func join(_ ids: [Int64]) async throws {
        let members = Set(ids)
        let channels = try ids.map { try up($0).channelID }
        let reusable = ids.compactMap { legs[$0]?.bridge }.first { bridges[$0]?.isSubset(of: members) == true }
        let target: String
        if let reusable {
            target = reusable
        } else {
            target = name("bridge")
            let created = try await send(ARIRequest("POST", "/bridges", [("type", "mixing"), ("bridgeId", target), ("name", target)]))
            guard created.isSuccess else { throw SwitchError.unreachable("bridge: HTTP \(created.status)") }
            bridges[target] = []
        }
        let missing = zip(ids, channels).filter { legs[$0.0]?.bridge != target }
        guard !missing.isEmpty else { return }
        let response = try await send(
            ARIRequest("POST", "/bridges/\(target)/addChannel", [("channel", missing.map(\.1).joined(separator: ","))]))
        guard response.isSuccess else {
            if bridges[target]?.isEmpty == true { await delete(bridge: target) }
            throw SwitchError.legNotUp(missing[0].0)
        }
        for (id, _) in missing { move(id, to: target) }
    }

    /// Bookkeeping for a leg that entered `bridge` (Asterisk moved it out of its old one).
    func move(_ uniqueid: Int64, to bridge: String) {
        if legs[uniqueid]?.bridge != bridge { leave(uniqueid) }
        legs[uniqueid]?.bridge = bridge
        bridges[bridge, default: []].insert(uniqueid)
    }

    /// The leg left its bridge (hung up, continued into the dial plan).
    func leave(_ uniqueid: Int64) {
        guard let old = legs[uniqueid]?.bridge else { return }
        legs[uniqueid]?.bridge = nil
        bridges[old]?.remove(uniqueid)
        if bridges[old]?.isEmpty == true {
            bridges[old] = nil
            Task { _ = try? await self.send(ARIRequest("DELETE", "/bridges/\(old)")) }
        }
    }

    func delete(bridge: String) async {
        bridges[bridge] = nil
        _ = try? await send(ARIRequest("DELETE", "/bridges/\(bridge)"))
    }

    /// A supervisor on an agent's leg: a snoop channel of the agent's leg, bridged with the
    /// supervisor's. Directions are seen from the agent's channel (fixtures, 06): listen hears
    /// both sides and says nothing; whisper (`whisper=out`) reaches the agent only; barge
    /// (`whisper=both`) reaches both.
    public func spy(_ supervisor: Int64, on target: Int64, mode: SpyMode) async throws {
        let agentLeg = try up(target)
        let supervisorLeg = try up(supervisor)
        let snoop = name("snoop")
        var query = [("spy", "both"), ("app", configuration.registeredApp), ("appArgs", "coccd,spy"), ("snoopId", snoop)]
        switch mode {
        case .listen: break
        case .whisper: query.append(("whisper", "out"))
        case .barge: query.append(("whisper", "both"))
        }
        try await command(ARIRequest("POST", "/channels/\(agentLeg.channelID)/snoop", query), leg: target)
        let bridge = name("spy")
        do {
            let created = try await send(ARIRequest("POST", "/bridges", [("type", "mixing"), ("bridgeId", bridge), ("name", bridge)]))
            guard created.isSuccess else { throw SwitchError.legNotUp(supervisor) }
            let added = try await send(
                ARIRequest("POST", "/bridges/\(bridge)/addChannel", [("channel", "\(supervisorLeg.channelID),\(snoop)")]))
            guard added.isSuccess else { throw SwitchError.legNotUp(supervisor) }
        } catch {
            _ = try? await send(ARIRequest("DELETE", "/channels/\(snoop)"))
            _ = try? await send(ARIRequest("DELETE", "/bridges/\(bridge)"))
            throw error
        }
        leave(supervisor)
        spies[snoop] = Spy(supervisor: supervisor, snoop: snoop, bridge: bridge)
    }

    /// Ends the snoop and bridge of a supervisor leg that hung up.
    func endSpies(of supervisor: Int64) {
        for (snoop, spy) in spies where spy.supervisor == supervisor {
            spies[snoop] = nil
            Task {
                _ = try? await self.send(ARIRequest("DELETE", "/channels/\(snoop)"))
                _ = try? await self.send(ARIRequest("DELETE", "/bridges/\(spy.bridge)"))
            }
        }
    }
}
