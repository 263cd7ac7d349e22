package io.jsd.core.internal.qmp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.options.SocketAddressOption;

/** --chardev socket's flat address options become one SocketAddressOption, as qemu_chr_parse_socket builds a SocketAddress. */
public class SocketChardevOptionsTest {
    private static SocketChardevOptions parse(String... kv) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        for (int i = 0; i < kv.length; i += 2) n.put(kv[i], kv[i + 1]);
        Options o = new Options(n, "", true);
        SocketChardevOptions so = SocketChardevOptions.parse(o);
        o.checkAllUsed();
        return so;
    }

    private static void refused(String message, String... kv) {
        try {
            parse(kv);
            fail(String.join(",", kv) + " accepted");
        } catch (OptionException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void pathIsAUnixAddress() {
        SocketChardevOptions o = parse("path", "/tmp/s", "server", "on", "wait", "off", "tight", "off");
        SocketAddressOption a = o.addr();
        assertEquals("unix", a.type());
        assertEquals("/tmp/s", a.path());
        assertFalse(a.tight());
        assertTrue(o.server());
        assertFalse(o.waitForClient());
    }

    @Test
    public void hostAndPortAreAnInetAddress() {
        SocketAddressOption a = parse("host", "127.0.0.1", "port", "4000", "to", "4005", "ipv4", "on").addr();
        assertEquals("inet", a.type());
        assertEquals("127.0.0.1", a.host());
        assertEquals("4000", a.port());
        assertEquals(Long.valueOf(4005), a.to());
        assertEquals(Boolean.TRUE, a.ipv4());
        assertNull(a.ipv6());
        // port= alone listens on every address, as QSD does
        assertEquals("0.0.0.0", parse("port", "0", "server", "on", "wait", "off").addr().host());
    }

    /** Checked against qemu-storage-daemon 10.0.2: ipv6=off alone means IPv4 only, ipv4=off alone IPv6 only. */
    @Test
    public void familyRestrictionsAsQsd() {
        refused("address resolution failed for ::1:0: Address family for hostname not supported",
                "host", "::1", "port", "0", "ipv6", "off");
        refused("address resolution failed for 127.0.0.1:0: Address family for hostname not supported",
                "host", "127.0.0.1", "port", "0", "ipv4", "off");
        refused("address resolution failed for 127.0.0.1:0: Address family for hostname not supported",
                "host", "127.0.0.1", "port", "0", "ipv6", "on");
        parse("host", "127.0.0.1", "port", "0", "ipv4", "on", "ipv6", "off");
    }

    @Test
    public void messagesAndOrderUnchanged() {
        refused("None or one of 'path', 'fd' or 'host' option required.", "path", "/s", "host", "h", "port", "1");
        refused("Unable to parse FD number ");
        refused("chardev: socket: no port given", "host", "h");
        refused("chardev: socket: 'telnet' is not supported by JSD", "path", "/s", "telnet", "on", "abstract", "on");
        refused("chardev: socket: 'abstract' is not supported by JSD", "path", "/s", "abstract", "on");
        refused("chardev: socket: 'fd' is not supported by JSD", "fd", "3");
        refused("Failed to parse port 'x'", "path", "/s", "port", "x");
        refused("Parameter 'to' expects a number", "host", "h", "port", "1", "to", "x");
    }
}
