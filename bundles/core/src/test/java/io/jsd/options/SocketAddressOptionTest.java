package io.jsd.options;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One SocketAddress reader: QAPI's members and messages, then a clear refusal of what JSD does not implement. */
public class SocketAddressOptionTest {
    private static SocketAddressOption read(String json) throws Exception {
        return SocketAddressOption.read(new Options((ObjectNode) new ObjectMapper().readTree(json), "addr.", false));
    }

    private static void refused(String json, String message) throws Exception {
        try {
            SocketAddressOption a = read(json);
            a.checkSupported();
            fail(json + " accepted");
        } catch (OptionException e) {
            assertEquals(json, message, e.getMessage());
        }
    }

    @Test
    public void readsAndRefusesAsQsdOrClearly() throws Exception {
        assertEquals("/s", read("{\"type\":\"unix\",\"path\":\"/s\",\"tight\":false}").path());
        read("{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"0\",\"numeric\":true,\"ipv4\":true}").checkSupported();
        refused("{\"type\":\"unix\"}", "Parameter 'addr.path' is missing");
        refused("{\"type\":\"inet\",\"host\":\"h\",\"port\":\"1\",\"keep-alive-count\":3}", "Parameter 'addr.keep-alive-count' is unexpected");
        refused("{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"0\",\"ipv6\":true}",
                "address resolution failed for 127.0.0.1:0: Address family for hostname not supported");
        refused("{\"type\":\"unix\",\"path\":\"/s\",\"abstract\":true}", "Abstract unix sockets are not supported");
        refused("{\"type\":\"inet\",\"host\":\"h\",\"port\":\"1\",\"to\":5}", "Socket address option 'to' is not supported by JSD");
        refused("{\"type\":\"inet\",\"host\":\"h\",\"port\":\"1\",\"keep-alive\":true}", "Socket address option 'keep-alive' is not supported by JSD");
        refused("{\"type\":\"inet\",\"host\":\"h\",\"port\":\"1\",\"mptcp\":true}", "Socket address option 'mptcp' is not supported by JSD");
        refused("{\"type\":\"vsock\",\"cid\":\"2\",\"port\":\"1\"}", "vsock addresses are not supported");
        refused("{\"type\":\"tcp\"}", "Parameter 'addr.type' does not accept value 'tcp'");
    }
}
