/// Where a request for a team is to be served.
public enum TeamRoute: Sendable, Equatable {
    /// This node holds the team's lease.
    case here
    /// Another live node holds it (or is to take it): forward there.
    case node(id: String, url: String)
    /// Nobody can serve it right now (its node died and the lease has not run out yet, or the
    /// store does not answer): wait and ask again, until the request's deadline.
    case unavailable(String)
}
