public import CoccSwitch

/// How the simulated far ends behave.
///
/// Agent extensions answer by themselves after `extensionAnswerDelay` seconds (unless
/// `autoAnswerExtensions` is false: then a test or the demo surface answers them). External
/// numbers follow `external[number]`, else `defaultExternal`.
public struct SimulationRules: Sendable, Equatable, Codable {
    public var extensionAnswerDelay: Double = 1
    public var autoAnswerExtensions: Bool = true
    public var external: [String: ExternalRule] = [:]
    public var defaultExternal = ExternalRule(outcome: .answer, answerAfter: 3)

    public init() {}

    enum CodingKeys: String, CodingKey { case extensionAnswerDelay, autoAnswerExtensions, external, defaultExternal }

    /// Keys a configuration leaves out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        extensionAnswerDelay = try c.decodeIfPresent(Double.self, forKey: .extensionAnswerDelay) ?? extensionAnswerDelay
        autoAnswerExtensions = try c.decodeIfPresent(Bool.self, forKey: .autoAnswerExtensions) ?? autoAnswerExtensions
        external = try c.decodeIfPresent([String: ExternalRule].self, forKey: .external) ?? external
        defaultExternal = try c.decodeIfPresent(ExternalRule.self, forKey: .defaultExternal) ?? defaultExternal
    }

    /// The documented demo numbers: one of each behaviour.
    public static var demo: SimulationRules {
        var rules = SimulationRules()
        rules.external = [
            "13800000001": ExternalRule(outcome: .answer, answerAfter: 2),
            "13800000002": ExternalRule(outcome: .busy, answerAfter: 1),
            "13800000003": ExternalRule(outcome: .noAnswer, answerAfter: 0),
            "13800000004": ExternalRule(outcome: .answer, answerAfter: 2, hangUpAfter: 5),
        ]
        return rules
    }

    func rule(for number: String) -> ExternalRule {
        external[number] ?? defaultExternal
    }
}

/// One external number's behaviour: answer after a delay (and maybe hang up later), be busy,
/// or never answer.
public struct ExternalRule: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case answer, busy, noAnswer
    }

    public var outcome: Outcome
    /// Seconds of ringing before answering (or before the busy signal).
    public var answerAfter: Double
    /// Seconds after answering when the far end hangs up by itself; nil: it waits.
    public var hangUpAfter: Double?

    public init(outcome: Outcome, answerAfter: Double, hangUpAfter: Double? = nil) {
        self.outcome = outcome
        self.answerAfter = answerAfter
        self.hangUpAfter = hangUpAfter
    }
}
