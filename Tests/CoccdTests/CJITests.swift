import CoccCatalogue
import CoccEngine
import CoccOperations
import CoccProvisioning
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

@Suite("CJI plugin and JSONP")
struct CJITests {
    @Test
    func pluginDefinesEachFunctionInTheManualsOrder() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await client.execute(uri: "/coccinterface/astcc_CJI.js", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/javascript; charset=utf-8")
                let js = String(buffer: r.body)
                #expect(
                    js.contains(
                        #""queuePauseCJI": ["type", "usertype", "user", "orgidentity", "pwdtype", "password", "pause_reason", "pushevent", "callbackFuc", "dnd"]"#
                    ))
                #expect(
                    js.contains(#""acwOffCJI": ["usertype", "user", "orgidentity", "pwdtype", "password", "pushevent", "callbackFuc"]"#))
                #expect(js.contains(#""setdeviceCJI": ["orgidentity", "exten", "user", "pwdtype", "password", "callbackFuc"]"#))
                for d in Catalogue.standard.descriptors {
                    if let name = d.cjiName { #expect(js.contains("\"\(name)\": [")) }
                }
                #expect(!js.contains("groupStatusNum"))
                // importCJI keeps the manual's order, callbackFuc last.
                #expect(
                    js.contains(
                        #""importCJI": ["orgidentity", "usertype", "user", "pwdtype", "password", "modeltype", "model_id", "source", "context", "source_user", "source_pwd", "exetime", "delrow", "phone_field", "priority_field", "dialtime_field", "emptyagent", "resetstatus", "dupway", "dupdiallist", "changepackage", "callbackFuc"]"#
                    ))
            }
            try await client.execute(uri: "/coccinterface/test_CJI.html", method: .get) { r in
                #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: r.body).contains("<script src=\"astcc_CJI.js\"></script>"))
            }
        }
    }

    @Test
    func jsonpEscapingAndCallbackNames() async throws {
        let f = try await Fixture()
        try await f.admin.addGroup(team: "demo", name: "</script><b>\"x\"", queueNumber: "6009", id: 9)
        try await f.admin.addMember(team: "demo", group: 9, agent: "8001", kind: .static)
        try await f.center.reloadDirectoryIfChanged(logger: .init(label: "test"))
        try await f.application().test(.router) { client async throws in
            let q = "orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
            try await client.execute(uri: "/setevent/loginCJI?callback=jQuery1124_99.cb$&\(q)&_=1700000000", method: .get) { r in
                let body = String(buffer: r.body)
                #expect(body.hasPrefix("/**/jQuery1124_99.cb$({\"code\":1,\"message\":\"BackMsg_04\",\"param\":\""))
                #expect(body.contains(#"groupname=\u003c/script\u003e\u003cb\u003e\"x\""#))
                #expect(!body.contains("</script>"))
                #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
            for bad in ["alert(1)", "a;b", "1abc", "a..b", String(repeating: "a", count: 200)] {
                let encoded = bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await client.execute(uri: "/setevent/loginCJI?callback=\(encoded)&\(q)", method: .get) { r in
                    #expect(r.status == .badRequest, "\(bad)")
                }
            }
            // Without a callback: plain JSON. Under /coccinterface/ too, and case-insensitively.
            try await client.execute(uri: "/coccinterface/setevent/AGENTSTATUSCJI?\(q)", method: .get) { r in
                #expect(r.headers[.contentType] == "application/json; charset=utf-8")
                #expect(String(buffer: r.body) == #"{"code":1,"message":"BackMsg_43","status":"1-idle,2-logout,9-idle,"}"#)
            }
            try await client.execute(uri: "/setevent/makeCoffeeCJI?callback=cb", method: .get) { r in
                #expect(String(buffer: r.body) == #"/**/cb({"code":2,"message":"BackMsg_28"});"#)
            }
        }
    }
}
