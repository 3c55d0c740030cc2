import CoccCatalogue
import CoccOperations
import CoccServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The vendor extras are in the one catalogue, so the plugin, the WSDL and the HTTP events all
/// know them, with the vendor plugin's parameter names and order.
@Suite("vendor extras: plugin, WSDL and HTTP names")
struct VendorExtrasCatalogueTests {
    /// The vendor astcc_CJI.js prototypes, callbackFuc where that plugin puts it.
    static let vendorPrototypes = [
        "dialerListCJI": [
            "orgidentity", "usertype", "user", "pwdtype", "password", "campaignid", "phonenum", "priority", "dialtime", "callbackFuc",
        ],
        "monitorCtrlCJI": ["action", "usertype", "user", "orgidentity", "pwdtype", "password", "pushevent", "callbackFuc"],
        "qbackcallCJI": [
            "orgidentity", "exten", "targetdn", "icallerid", "xcallerid", "user", "password", "pwdtype", "userdata", "callbackFuc",
        ],
        "setDefaultGroupCJI": ["usertype", "user", "orgidentity", "pwdtype", "password", "agent_group_id", "callbackFuc"],
        "getMonitorCJI": ["sessionid", "calldate", "callbackFuc", "mp3", "filename"],
    ]

    @Test
    func thePluginHasTheVendorsPrototypes() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let js = try await client.execute(uri: "/coccinterface/astcc_CJI.js", method: .get) { String(buffer: $0.body) }
            for (name, parameters) in Self.vendorPrototypes {
                let quoted = parameters.map { "\"\($0)\"" }.joined(separator: ", ")
                #expect(js.contains("\"\(name)\": [\(quoted)]"), "\(name)")
            }
        }
    }

    @Test
    func theWSDLAndTheHTTPEventsNameThem() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let wsdl = try await client.execute(uri: "/coccwi.php?wsdl", method: .get) { String(buffer: $0.body) }
            for (name, order) in [
                (
                    "dialerList",
                    "orgidentity usertype user pwdtype password campaignid phonenum priority dialtime dupway dupdiallist changepackage emptyagent resetstatus"
                ),
                ("monitorCtrl", "action usertype user orgidentity pwdtype password pushevent"),
                ("qbackCall", "orgidentity exten targetdn icallerid xcallerid user password pwdtype userdata"),
                ("setDefaultGroup", "usertype user orgidentity pwdtype password agent_group_id"),
                ("getMonitor", "sessionid calldate filename"),
            ] {
                #expect(wsdl.contains("<operation name=\"\(name)\" parameterOrder=\"\(order)\">"), "\(name)")
            }
        }
        for (event, name) in [
            ("DialerList", "dialerList"), ("MonitorCtrl", "monitorCtrl"), ("QBackCall", "qbackCall"), ("DefaultGroup", "setDefaultGroup"),
        ] {
            #expect(Catalogue.standard.http(event)?.descriptor.name == name)
        }
    }
}
