public import Foundation

/// Userinfo in import URLs (`ftp://u:p@host/x.csv`): a store keeps the URL without it and the
/// credentials apart, and nothing that is shown or logged ever carries them.
///
/// ```swift
/// let split = URLUserinfo.split(URL(string: "ftp://u:p@host/x.csv")!)   // ("ftp://host/x.csv", "u", "p")
/// ```
public enum URLUserinfo {
    /// The URL without its userinfo, and the user and password it carried (decoded).
    public static func split(_ url: URL) -> (url: String, user: String, password: String) {
        guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return (url.absoluteString, "", "") }
        let user = c.user ?? ""
        let password = c.password ?? ""
        c.user = nil
        c.password = nil
        return (c.string ?? url.absoluteString, user, password)
    }

    /// The URL for logs and replies: never its userinfo.
    public static func redacted(_ url: URL) -> String {
        guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(unparsable URL)" }
        c.user = nil
        c.password = nil
        return c.string ?? "(unparsable URL)"
    }
}
