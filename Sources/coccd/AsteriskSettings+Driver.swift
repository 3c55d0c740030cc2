import CoccAsterisk
import CoccServer

extension AsteriskSettings {
    /// The driver's configuration from the file's `asterisk` section and `COCCD_ARI_*`.
    var driverConfiguration: AsteriskConfiguration {
        var configuration = AsteriskConfiguration(url: url, username: username, password: password)
        configuration.app = app
        configuration.agentEndpoint = agentEndpoint
        configuration.externalEndpoint = externalEndpoint
        configuration.defaultTrunk = defaultTrunk
        configuration.mohClass = mohClass
        configuration.ivrContext = ivrContext
        configuration.recordingDirectory = recordingDirectory
        return configuration
    }
}
