import CoccEngine
import CoccOperations
import CoccServer
import CoccSimulator
import CoccStorage
import CoccSwitch
import Foundation
import Testing

@Suite("configuration")
struct ConfigurationTests {
    @Test
    func fileThenEnvironment() throws {
        let json = """
            {"port": 5000, "corsOrigins": ["https://crm.example.com"], "messages": "cn",
             "simulation": {"extensionAnswerDelay": 2.5, "external": {"110": {"outcome": "busy", "answerAfter": 1}}},
             "ivrs": {"8800": {"name": "Hotline", "options": {"9": {"name": "Operator"}}}}}
            """
        var config = try JSONDecoder().decode(ServerConfiguration.self, from: Data(json.utf8))
        #expect(config.port == 5000 && config.host == "127.0.0.1" && config.maxBodyBytes == 256 * 1024)
        #expect(config.messageStyle == .text(.cn))
        #expect(config.simulation.extensionAnswerDelay == 2.5 && config.simulation.autoAnswerExtensions)
        #expect(config.simulation.external["110"] == ExternalRule(outcome: .busy, answerAfter: 1))
        #expect(config.ivrs["8800"]?.menu(at: ["9"])?.name == "Operator")
        #expect(config.ivrs["7000"] == nil)
        config.apply(environment: ["COCCD_PORT": "6000", "COCCD_CORS_ORIGINS": "a,b", "COCCD_WEBROOT_ADDRESS": "http://rec/"])
        #expect(config.port == 6000 && config.corsOrigins == ["a", "b"] && config.webrootAddress == "http://rec/")
        // The shipped example file decodes.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try JSONDecoder().decode(
            ServerConfiguration.self, from: Data(contentsOf: root.appendingPathComponent("Config/coccd.json")))
        #expect(shipped.port == 4580 && shipped.ivrs == IVRMenu.sample && shipped.simulation == .demo)
        #expect(shipped.database.isEmpty && shipped.storeWriteTimeoutSeconds == 5)  // SQLite in the data directory
    }

    /// The store: `database` in the file, `COCCD_DATABASE_URL` over it; empty is SQLite.
    @Test
    func databaseFromTheFileThenTheEnvironment() throws {
        var config = try JSONDecoder().decode(
            ServerConfiguration.self, from: Data(#"{"database": "postgres://coccd:pw@db:5432/coccd", "storeWriteTimeoutSeconds": 2}"#.utf8))
        #expect(config.database == "postgres://coccd:pw@db:5432/coccd" && config.storeWriteTimeout == .seconds(2))
        config.apply(environment: ["COCCD_DATABASE_URL": "postgres://other@db2/coccd"])
        #expect(config.database == "postgres://other@db2/coccd")
        #expect(ServerConfiguration().database.isEmpty)
    }

    /// The `asterisk` section and its `COCCD_ARI_*` variables, the environment winning.
    @Test
    func asteriskSectionThenEnvironment() throws {
        let json = """
            {"switch": "asterisk", "asterisk": {"url": "http://pbx:8088", "username": "u", "password": "p", "defaultTrunk": "carrier",
             "recordingDirectory": "/var/spool/asterisk/recording"}}
            """
        var config = try JSONDecoder().decode(ServerConfiguration.self, from: Data(json.utf8))
        #expect(config.switchKind == "asterisk" && config.asterisk.url == "http://pbx:8088" && config.asterisk.defaultTrunk == "carrier")
        #expect(config.asterisk.recordingDirectory == "/var/spool/asterisk/recording" && config.asterisk.agentEndpoint == "PJSIP/{exten}")
        config.apply(environment: [
            "COCCD_ARI_RECORDING_DIR": "/mnt/recordings", "COCCD_ARI_MOH_CLASS": "tone", "COCCD_SWITCH": "simulated",
        ])
        #expect(
            config.asterisk.recordingDirectory == "/mnt/recordings" && config.asterisk.mohClass == "tone"
                && config.switchKind == "simulated")
    }
}
