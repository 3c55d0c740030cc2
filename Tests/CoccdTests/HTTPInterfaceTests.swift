import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite("HTTP form interface and CORS")
struct HTTPInterfaceTests {
    static let login = "orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"

    @Test
    func getPostAndEventMatching() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await client.execute(uri: "/coccinterfaces?EVENT=login&\(Self.login)", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(String(buffer: r.body).hasPrefix("|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&"))
            }
            // The old product's path, a POSTed form, and an EVENT in another case; nothing but the string.
            try await client.execute(
                uri: "/asterccinterfaces", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "EVENT=agentstatus&\(Self.login)")
            ) { r in
                #expect(String(buffer: r.body) == "|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,")
            }
            // The form wins over the query; percent-encoding and + decode.
            try await client.execute(
                uri: "/coccinterfaces?EVENT=QUEUEPAUSE&type=2", method: .post,
                body: ByteBuffer(string: "type=1&pause_reason=lunch+break%21&\(Self.login)")
            ) { r in
                #expect(String(buffer: r.body) == "|Retuen|1|Retuen|BackMsg_14")
            }
            #expect(try await f.center.engine(team: 1).sessionSnapshot(agentID: 1)?.pause?.reason == "lunch break!")
            // Unknown fields are ignored, never rejected (makeCallCJI sends extras).
            try await client.execute(uri: "/coccinterfaces?EVENT=AGENTSTATUS&callername=x&cidtype=1&\(Self.login)", method: .get) { r in
                #expect(String(buffer: r.body).hasPrefix("|Retuen|1|"))
            }
            try await client.execute(uri: "/coccinterfaces?EVENT=MAKECOFFEE&\(Self.login)", method: .get) { r in
                #expect(String(buffer: r.body) == "|Retuen|2|Retuen|BackMsg_28")
            }
            try await client.execute(uri: "/coccinterfaces?\(Self.login)", method: .get) { r in
                #expect(String(buffer: r.body) == "|Retuen|2|Retuen|BackMsg_01")
            }
            // groupStatusNum has no HTTP form in the manual.
            try await client.execute(uri: "/coccinterfaces?EVENT=groupStatusNum&orgidentity=demo&queuenumber=6001", method: .get) { r in
                #expect(String(buffer: r.body) == "|Retuen|2|Retuen|BackMsg_28")
            }
        }
    }

    @Test
    func corsForConfiguredOrigins() async throws {
        var f = try await Fixture()
        f.configuration.corsOrigins = ["https://crm.example.com"]
        try await f.application().test(.router) { client async throws in
            try await client.execute(
                uri: "/coccinterfaces", method: .options,
                headers: [
                    .origin: "https://crm.example.com", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type",
                ]
            ) { r in
                #expect(r.status == .noContent)
                #expect(r.headers[.accessControlAllowOrigin] == "https://crm.example.com")
                #expect(r.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(r.headers[.accessControlAllowHeaders] == "content-type")
            }
            try await client.execute(
                uri: "/coccinterfaces", method: .post, headers: [.origin: "https://crm.example.com"],
                body: ByteBuffer(string: "EVENT=LOGIN&\(Self.login)")
            ) { r in
                #expect(r.headers[.accessControlAllowOrigin] == "https://crm.example.com")
                #expect(r.headers[.vary] == "Origin")
            }
            try await client.execute(
                uri: "/coccinterfaces", method: .post, headers: [.origin: "https://evil.example.net"],
                body: ByteBuffer(string: "EVENT=LOGIN&\(Self.login)")
            ) { r in
                #expect(r.headers[.accessControlAllowOrigin] == nil)
            }
        }
        f.configuration.demo = true
        try await f.application().test(.router) { client async throws in
            try await client.execute(
                uri: "/coccinterfaces?EVENT=LOGIN&\(Self.login)", method: .get, headers: [.origin: "http://anything.test"]
            ) { r in
                #expect(r.headers[.accessControlAllowOrigin] == "*")
            }
        }
    }

    @Test
    func metricsCountOperationsPerInterface() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .soap, "login", Fixture.agent8001)
            _ = try await call(client, .soap, "agentStatus", Fixture.agent8001.with(["password": "bad"]))
            _ = try await postSOAP(client, Envelope.soap11("<x:nothing xmlns:x=\"urn:coccwi\"/>"))
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains(#"coccd_requests_total{operation="login",interface="http",code="1"} 1"#))
                #expect(text.contains(#"coccd_requests_total{operation="login",interface="soap",code="1"} 1"#))
                #expect(text.contains(#"coccd_requests_total{operation="agentStatus",interface="soap",code="2"} 1"#))
                #expect(text.contains(#"coccd_rejected_requests_total{interface="soap",reason="unknown_operation"} 1"#))
                #expect(text.contains(#"coccd_request_duration_seconds_count{operation="login",interface="soap"} 1"#))
            }
        }
    }
}
