import coccwi.*;
import java.net.URL;
public class JaxwsClient {
    public static void main(String[] args) throws Exception {
        CoccwiPortType port = new Coccwi(new URL(args[0] + "/coccwi.php?wsdl")).getCoccwiPort();
        System.out.println(port.login("demo", "agent", "8003", "plaintext", "123456"));
        System.out.println(port.agentStatus("demo", "agent", "8003", "plaintext", "123456"));
    }
}
