/// Writes SOAP responses and faults exactly as strict toolkits bind them.
public enum SOAPResponseWriter {
    /// `<opResponse>` in the operation's namespace with one unqualified `<return>` child:
    /// zeep and gSOAP bind the part by that exact name and would drop a qualified one.
    public static func response(version: SOAPVersion, operation: String, namespace: String, value: String) -> String {
        let env = version == .v11 ? "SOAP-ENV" : "env"
        return """
            <?xml version="1.0" encoding="UTF-8"?>\n\
            <\(env):Envelope xmlns:\(env)="\(version.namespace)" xmlns:ns1="\(XMLText.escape(namespace))">\
            <\(env):Body><ns1:\(operation)Response><return>\(XMLText.escape(value))</return></ns1:\(operation)Response>\
            </\(env):Body></\(env):Envelope>\n
            """
    }

    /// A fault: unqualified `faultcode`/`faultstring` in 1.1; `Code`/`Reason` with `xml:lang` in 1.2.
    public static func fault(_ fault: SOAPFault) -> String {
        let message = XMLText.escape(fault.message)
        switch fault.version {
        case .v11:
            let code =
                switch fault.code {
                case .client: "SOAP-ENV:Client"
                case .server: "SOAP-ENV:Server"
                case .versionMismatch: "SOAP-ENV:VersionMismatch"
                }
            return """
                <?xml version="1.0" encoding="UTF-8"?>\n\
                <SOAP-ENV:Envelope xmlns:SOAP-ENV="\(SOAPVersion.namespace11)"><SOAP-ENV:Body><SOAP-ENV:Fault>\
                <faultcode>\(code)</faultcode><faultstring>\(message)</faultstring>\
                </SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\n
                """
        case .v12:
            let code =
                switch fault.code {
                case .client: "env:Sender"
                case .server: "env:Receiver"
                case .versionMismatch: "env:VersionMismatch"
                }
            return """
                <?xml version="1.0" encoding="UTF-8"?>\n\
                <env:Envelope xmlns:env="\(SOAPVersion.namespace12)"><env:Body><env:Fault>\
                <env:Code><env:Value>\(code)</env:Value></env:Code>\
                <env:Reason><env:Text xml:lang="en">\(message)</env:Text></env:Reason>\
                </env:Fault></env:Body></env:Envelope>\n
                """
        }
    }
}
