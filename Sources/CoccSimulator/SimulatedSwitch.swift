public import CoccSwitch

/// The embedded switch: legs ring, answer and hang up by the ``SimulationRules``, so the whole
/// product runs and is tested on one machine.
///
/// With `.realtime` timing, delays are real. With `.manual` timing nothing happens until a test
/// calls ``advance(by:)``, which fires every due action in order and returns once the engine has
/// handled the resulting notifications: scenario tests are exact and need no sleeps.
/// ```swift
/// let pbx = SimulatedSwitch(rules: .demo, timing: .manual)
/// await pbx.advance(by: .seconds(1))     // the agent's phone answers
/// ```
public actor SimulatedSwitch: Switch {
    public enum Timing: Sendable {
        case realtime
        case manual
    }

    enum LegState: Equatable {
        case ringing, up, down
    }

    struct Leg {
        var info: LegInfo
        var isExtension: Bool
        var state: LegState
        var held = false
        var bridgedWith: Int64?
        var dtmf = ""
        var variables: [String: String] = [:]
        /// The IVR and menu path the leg is in, if any.
        var ivr: (exten: String, path: [String])?
        /// The leg this one spies on, and how.
        var spying: (target: Int64, mode: SpyMode)?
        /// Where each running recording goes, and when (in this switch's time) it started.
        var recordings: [String: Duration] = [:]
        /// The number presented to the called party (the request's caller ID).
        var callerID = ""
    }

    /// Simulated recordings stop growing at this length, to bound the disk a long demo uses.
    static let maximumRecording: Double = 300
    /// Real time, for recordings under `.realtime` timing.
    let started = ContinuousClock.now

    enum Action {
        case ring(Int64)
        case answer(Int64)
        case farEndHangup(Int64, HangupCause)
        case ringTimeout(Int64)
    }

    public private(set) var rules: SimulationRules
    let timing: Timing
    /// What happened, for the engine; see ``advance(by:)`` for how manual time waits on it.
    public nonisolated let notifications = SwitchNotifications()
    var legs: [Int64: Leg] = [:]
    var conferences: [Set<Int64>] = []
    /// Manual timing: the virtual time and the actions waiting for it, kept sorted latest first
    /// so the next one is popped off the end.
    var now: Duration = .zero
    var scheduled: [(at: Duration, sequence: Int, action: Action)] = []
    var sequence = 0
    /// Ids of legs that arrive from outside: from `legIDs` when given (the engine's own source,
    /// so the two cannot collide), else counted from the manual's 1555 (tests, whose engine
    /// counts from elsewhere).
    var nextInboundID: Int64 = 1555
    let legIDs: (any LegIDSource)?

    public init(rules: SimulationRules = .demo, timing: Timing = .realtime, legIDs: (any LegIDSource)? = nil) {
        self.rules = rules
        self.timing = timing
        self.legIDs = legIDs
    }

    deinit {
        // The consumer's loop ends with the switch.
        notifications.finish()
    }

    public func setRules(_ rules: SimulationRules) {
        self.rules = rules
    }

    // MARK: Switch

    public func originate(_ request: OriginateRequest) async throws -> LegInfo {
        let uniqueid = request.uniqueid
        guard legs[uniqueid] == nil else { throw SwitchError.duplicateLeg(uniqueid) }
        let isExtension: Bool
        if case .extension = request.destination { isExtension = true } else { isExtension = false }
        // Channel names in the form the manual's events show: Local/<number>@hosted-dialout-408a;1
        let tag = String(UInt16(truncatingIfNeeded: uniqueid &* 40503), radix: 16)
        let info = LegInfo(
            uniqueid: uniqueid, channel: "Local/\(request.number)@hosted-\(request.context)-\(tag);1", number: request.number)
        legs[uniqueid] = Leg(info: info, isExtension: isExtension, state: .ringing, callerID: request.callerID)
        schedule(.zero, .ring(uniqueid))
        schedule(request.ringTimeout, .ringTimeout(uniqueid))
        if isExtension {
            if rules.autoAnswerExtensions { schedule(.seconds(rules.extensionAnswerDelay), .answer(uniqueid)) }
        } else {
            let rule = rules.rule(for: request.number)
            switch rule.outcome {
            case .answer: schedule(.seconds(rule.answerAfter), .answer(uniqueid))
            case .busy: schedule(.seconds(rule.answerAfter), .farEndHangup(uniqueid, .busy))
            case .noAnswer: break
            }
        }
        return info
    }

    public func hangup(uniqueid: Int64) async throws {
        guard let leg = legs[uniqueid], leg.state != .down else { throw SwitchError.noSuchLeg(uniqueid) }
        await end(uniqueid, .normal)
    }

    public func bridge(_ a: Int64, _ b: Int64) async throws {
        for id in [a, b] {
            guard let leg = legs[id], leg.state != .down else { throw SwitchError.noSuchLeg(id) }
            guard leg.state == .up else { throw SwitchError.legNotUp(id) }
        }
        for id in [a, b] {
            detach(id)
            legs[id]?.ivr = nil
        }
        legs[a]?.bridgedWith = b
        legs[b]?.bridgedWith = a
    }

    public func conference(_ ids: [Int64]) async throws {
        for id in ids {
            guard let leg = legs[id], leg.state == .up else { throw SwitchError.legNotUp(id) }
        }
        for id in ids { detach(id) }
        conferences.append(Set(ids))
    }

    public func spy(_ supervisor: Int64, on target: Int64, mode: SpyMode) async throws {
        for id in [supervisor, target] {
            guard let leg = legs[id], leg.state == .up else { throw SwitchError.legNotUp(id) }
        }
        legs[supervisor]?.spying = (target, mode)
    }

    public func redirect(_ uniqueid: Int64, toIVR ivr: String, path: [String]) async throws {
        guard let leg = legs[uniqueid], leg.state == .up else { throw SwitchError.legNotUp(uniqueid) }
        detach(uniqueid)
        legs[uniqueid]?.held = false
        legs[uniqueid]?.ivr = (ivr, path)
    }

    /// Where in an IVR a leg is.
    public func ivrLocation(uniqueid: Int64) -> (exten: String, path: [String])? { legs[uniqueid]?.ivr }

    /// What a supervisor leg spies on.
    public func spying(uniqueid: Int64) -> (target: Int64, mode: SpyMode)? { legs[uniqueid]?.spying }

    /// Takes a leg out of its bridge or conference.
    func detach(_ id: Int64) {
        if let other = legs[id]?.bridgedWith { legs[other]?.bridgedWith = nil }
        legs[id]?.bridgedWith = nil
        conferences = conferences.map { $0.subtracting([id]) }.filter { $0.count > 1 }
    }

    /// The other legs in a conference with this one.
    public func conferencedWith(uniqueid: Int64) -> Set<Int64> {
        conferences.first { $0.contains(uniqueid) }?.subtracting([uniqueid]) ?? []
    }

    public func hold(uniqueid: Int64, music: Bool) async throws {
        guard let leg = legs[uniqueid], leg.state == .up else { throw SwitchError.legNotUp(uniqueid) }
        legs[uniqueid]?.held = true
    }

    public func unhold(uniqueid: Int64) async throws {
        guard let leg = legs[uniqueid], leg.state == .up else { throw SwitchError.legNotUp(uniqueid) }
        legs[uniqueid]?.held = false
    }

    public func sendDTMF(uniqueid: Int64, digits: String) async throws {
        guard let leg = legs[uniqueid], leg.state == .up else { throw SwitchError.legNotUp(uniqueid) }
        legs[uniqueid]?.dtmf += digits
    }

    public func setVariable(uniqueid: Int64, name: String, value: String) async throws {
        guard let leg = legs[uniqueid], leg.state != .down else { throw SwitchError.noSuchLeg(uniqueid) }
        legs[uniqueid]?.variables[name] = value
    }

    public func startRecording(uniqueid: Int64, path: String) async throws {
        guard let leg = legs[uniqueid], leg.state == .up else { throw SwitchError.legNotUp(uniqueid) }
        legs[uniqueid]?.recordings[path] = currentTime
    }

    public func stopRecording(uniqueid: Int64, path: String) async throws {
        guard legs[uniqueid] != nil else { throw SwitchError.noSuchLeg(uniqueid) }
        finishRecording(uniqueid, path: path)
    }

    /// Manual timing: the virtual clock; real timing: time since this switch started.
    var currentTime: Duration { timing == .manual ? now : ContinuousClock.now - started }

    /// Completes the leg's recordings (only the one into `path`, when given).
    func finishRecording(_ id: Int64, path: String? = nil) {
        guard let running = legs[id]?.recordings else { return }
        for (file, since) in running where path == nil || file == path {
            legs[id]?.recordings[file] = nil
            let elapsed = currentTime - since
            let seconds = min(Self.maximumRecording, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            do { try WAVFile.write(seconds: seconds, to: file) } catch {
                // The engine learns of a missing file when it is asked for it (getMonitor: BackMsg_404).
            }
        }
    }

    /// The paths a leg is being recorded into now.
    public func recordingPaths(uniqueid: Int64) -> Set<String> { Set(legs[uniqueid].map { Array($0.recordings.keys) } ?? []) }

    /// The caller ID the leg was placed with: the number its called party sees.
    public func callerID(uniqueid: Int64) -> String? { legs[uniqueid]?.callerID }

    /// The digits a leg has received.
    public func receivedDTMF(uniqueid: Int64) -> String { legs[uniqueid]?.dtmf ?? "" }

    /// A leg's channel variables.
    public func variables(uniqueid: Int64) -> [String: String] { legs[uniqueid]?.variables ?? [:] }

    // MARK: Control surface (tests, demos)
    //
    // What the far end does. Unlike the Switch commands, these return once the engine has
    // handled what they caused (``SwitchNotifications/settled()``), so a test or a demo page
    // sees the engine's state afterwards. The engine never calls them.

    /// Answers a ringing leg now, as a person picking up.
    public func answer(uniqueid: Int64) async throws {
        guard legs[uniqueid]?.state == .ringing else { throw SwitchError.noSuchLeg(uniqueid) }
        await fire(.answer(uniqueid))
        await notifications.settled()
    }

    /// The far end of a leg hangs up.
    public func farEndHangup(uniqueid: Int64) async throws {
        guard let leg = legs[uniqueid], leg.state != .down else { throw SwitchError.noSuchLeg(uniqueid) }
        await end(uniqueid, .normal)
        await notifications.settled()
    }

    /// A caller dials `called` (a queue number) in `tenant`'s dial plan: the leg is answered by
    /// the switch and the engine is told with an `incoming` notification.
    @discardableResult
    public func placeInbound(from caller: String, to called: String, tenant: String, priority: Int = 0) async -> LegInfo {
        let uniqueid: Int64
        // Should the shared source fail (its store does), a counted id is better than no caller
        // in a simulation; a real driver refuses the call instead.
        if let id = legIDs?.nextLegID() {
            uniqueid = id
        } else {
            uniqueid = nextInboundID
            nextInboundID += 1
        }
        let tag = String(UInt16(truncatingIfNeeded: uniqueid &* 40503), radix: 16)
        let info = LegInfo(uniqueid: uniqueid, channel: "Local/\(caller)@hosted-dialin-\(tag);1", number: caller)
        legs[uniqueid] = Leg(info: info, isExtension: false, state: .up)
        notify(.incoming(leg: info, called: called, tenant: tenant, priority: priority))
        await notifications.settled()
        return info
    }

    /// Legs that are ringing or up.
    public func liveLegs() -> [LegInfo] {
        legs.values.filter { $0.state != .down }.map(\.info).sorted { $0.uniqueid < $1.uniqueid }
    }

    public func isHeld(uniqueid: Int64) -> Bool { legs[uniqueid]?.held ?? false }

    public func bridgedWith(uniqueid: Int64) -> Int64? { legs[uniqueid]?.bridgedWith }

    /// Manual timing: moves virtual time forward, firing every action that falls due, in order;
    /// each action's notifications are handled by the engine before the next fires (and what
    /// the engine did in reply, such as hanging up the other leg, before that).
    public func advance(by duration: Duration) async {
        precondition(timing == .manual, "advance(by:) is for manual timing")
        await notifications.settled()
        let target = now + duration
        while let last = scheduled.last, last.at <= target {
            scheduled.removeLast()
            now = last.at
            await fire(last.action)
            await notifications.settled()
        }
        now = target
    }

    // MARK: Internals

    func schedule(_ delay: Duration, _ action: Action) {
        switch timing {
        case .manual:
            sequence += 1
            let item = (at: now + delay, sequence: sequence, action: action)
            // Binary search for the place that keeps the array sorted by (at, sequence), descending.
            var low = 0
            var high = scheduled.count
            while low < high {
                let mid = (low + high) / 2
                if (scheduled[mid].at, scheduled[mid].sequence) > (item.at, item.sequence) { low = mid + 1 } else { high = mid }
            }
            scheduled.insert(item, at: low)
        case .realtime:
            Task {
                try? await Task.sleep(for: delay)
                await self.fire(action)
            }
        }
    }

    func fire(_ action: Action) async {
        switch action {
        case .ring(let id):
            guard legs[id]?.state == .ringing else { return }
            notify(.ringing(uniqueid: id))
        case .answer(let id):
            guard legs[id]?.state == .ringing else { return }
            legs[id]?.state = .up
            if let leg = legs[id], !leg.isExtension, let after = rules.rule(for: leg.info.number).hangUpAfter {
                schedule(.seconds(after), .farEndHangup(id, .normal))
            }
            notify(.answered(uniqueid: id))
        case .farEndHangup(let id, let cause):
            guard let leg = legs[id], leg.state != .down else { return }
            await end(id, cause)
        case .ringTimeout(let id):
            guard legs[id]?.state == .ringing else { return }
            await end(id, .noAnswer)
        }
    }

    func end(_ id: Int64, _ cause: HangupCause) async {
        finishRecording(id)
        legs[id]?.state = .down
        detach(id)
        notify(.hungUp(uniqueid: id, cause: cause))
    }

    /// Only queues it: a command that ends a leg returns before the engine hears of it, as
    /// with a real PBX.
    func notify(_ notification: SwitchNotification) {
        notifications.yield(notification)
    }
}
