/// The tables several nodes coordinate through (issue 14): who is alive, who owns which team,
/// and the secret that authenticates forwarding. They hold run-time state only, so
/// `coccd store copy` leaves them out (a new installation starts with no owners).
extension PostgresStore {
    static var clusterSchema: [String] {
        [
            """
            CREATE TABLE cluster_nodes (
                node_id text PRIMARY KEY,
                advertise_url text NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                heartbeat_at timestamptz NOT NULL DEFAULT now(),
                lease_seconds integer NOT NULL,
                stopped boolean NOT NULL DEFAULT false
            )
            """,
            // One row per team ever owned; the row stays when a lease is given up, so the epoch
            // only ever goes up (a fence from any earlier owner stays refused).
            """
            CREATE TABLE team_leases (
                team_id bigint PRIMARY KEY,
                node_id text NOT NULL,
                epoch bigint NOT NULL,
                expires_at timestamptz NOT NULL
            )
            """,
            "CREATE TABLE cluster_settings (name text PRIMARY KEY, value text NOT NULL)",
        ]
    }
}
