import CoccEngine
import CoccStorage
import Hummingbird

extension Request {
    /// The query's parameters by name (for a repeated name, the last value).
    var queryDictionary: [String: String] {
        var q: [String: String] = [:]
        for (key, value) in uri.queryParameters { q[String(key)] = String(value) }
        return q
    }

    /// The operations' credential parameters, read from the query, for the GET endpoints beside
    /// the operations (event stream, push token, import task status). `usertype` fixes the user
    /// type where the endpoint has only one; missing parameters are empty, or `pwdtype`'s default.
    func queryCredentials(usertype fixed: String? = nil, defaultPwdtype: String = "") -> Credentials {
        let q = queryDictionary
        return Credentials(
            orgidentity: q["orgidentity"] ?? "", usertype: fixed ?? q["usertype"] ?? "", user: q["user"] ?? "",
            pwdtype: q["pwdtype"] ?? defaultPwdtype, password: q["password"] ?? "")
    }

    /// Who a stream or view request is for: its `token` when it has one (and then only the
    /// token counts), else its credential parameters. Nil: refused.
    func queryPrincipal(center: CallCenter, context: CoccRequestContext) -> Principal? {
        let directory = center.directory
        if let token = uri.queryParameters["token"].map(String.init) {
            return center.authenticator.principal(forToken: token, in: directory)
        }
        guard
            case .success(let principal) = center.authenticator.authenticate(
                queryCredentials(), from: context.clientAddress, in: directory, logger: context.logger)
        else { return nil }
        return principal
    }
}
