import CoccEngine
import CoccStorage
import Hummingbird
import HummingbirdCore
import Logging

extension URI {
    /// The query's parameters by name (for a repeated name, the last value).
    var queryDictionary: [String: String] {
        var q: [String: String] = [:]
        for (key, value) in queryParameters { q[String(key)] = String(value) }
        return q
    }
}

extension Request {
    /// The query's parameters by name (for a repeated name, the last value).
    var queryDictionary: [String: String] { uri.queryDictionary }

    /// The operations' credential parameters, read from the query, for the GET endpoints beside
    /// the operations (event stream, push token, import task status). `usertype` fixes the user
    /// type where the endpoint has only one; missing parameters are empty, or `pwdtype`'s default.
    func queryCredentials(usertype fixed: String? = nil, defaultPwdtype: String = "") -> Credentials {
        Self.credentials(queryDictionary, usertype: fixed, defaultPwdtype: defaultPwdtype)
    }

    static func credentials(_ q: [String: String], usertype fixed: String? = nil, defaultPwdtype: String = "") -> Credentials {
        Credentials(
            orgidentity: q["orgidentity"] ?? "", usertype: fixed ?? q["usertype"] ?? "", user: q["user"] ?? "",
            pwdtype: q["pwdtype"] ?? defaultPwdtype, password: q["password"] ?? "")
    }

    /// Who a stream or view request is for: its `token` when it has one (and then only the
    /// token counts), else its credential parameters. Nil: refused.
    func queryPrincipal(center: CallCenter, context: CoccRequestContext) -> Principal? {
        Self.principal(queryDictionary, center: center, clientAddress: context.clientAddress, logger: context.logger)
    }

    /// ``queryPrincipal(center:context:)`` from a decoded query (the lean path has no `Request`).
    static func principal(_ q: [String: String], center: CallCenter, clientAddress: String, logger: Logger) -> Principal? {
        let directory = center.directory
        if let token = q["token"] {
            return center.authenticator.principal(forToken: token, in: directory)
        }
        guard
            case .success(let principal) = center.authenticator.authenticate(
                credentials(q), from: clientAddress, in: directory, logger: logger)
        else { return nil }
        return principal
    }
}
