/// Hands out leg `uniqueid`s, for the engine's legs and for legs a switch creates (an incoming
/// caller), so the two never collide.
///
/// The manual's uniqueids are small integers (1555, 19866), and CRMs store them in 32-bit
/// columns; the production source is a persisted sequence (`PersistedLegIDs` in CoccEngine).
/// ```swift
/// let pbx = SimulatedSwitch(rules: .demo, legIDs: legIDs)
/// let id = legIDs.nextLegID()
/// ```
public protocol LegIDSource: Sendable {
    /// A fresh id, or nil when none can be handed out now (its store fails): the leg must
    /// then not be created, since any other id could repeat one.
    func nextLegID() -> Int64?
}
