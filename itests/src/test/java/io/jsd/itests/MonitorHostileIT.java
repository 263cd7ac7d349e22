package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;


/**
 * Hostile QMP input, JSD and qemu-storage-daemon side by side: invalid UTF-8, qemu's lexer error
 * tokens, huge numbers, the nesting limit — the same replies in the same order. Then what QSD
 * needs minutes for (it reads a byte per main-loop turn): a 50 MB message and numbers with
 * millions of digits get their reply from JSD in bounded time, while another client is served.
 */
public class MonitorHostileIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String CAPS = "{\"execute\":\"qmp_capabilities\"}";
    private static final String END = "{\"execute\":\"query-version\",\"id\":\"END\"}";

    private static List<String> args() {
        return List.of("--chardev", "socket,id=m0,path={dir}/q.sock,server=on,wait=off", "--monitor", "m0",
                "--chardev", "socket,id=m1,path={dir}/r.sock,server=on,wait=off", "--monitor", "m1");
    }

    private static byte[] cat(Object... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            byte[] x = p instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1) : (byte[]) p;
            b.write(x, 0, x.length);
        }
        return b.toByteArray();
    }

    private static byte[] id(Object... value) {
        return cat(cat("{\"execute\":\"query-version\",\"id\":"), cat(value), cat("}"));
    }

    /** Inputs whose replies must be the same as QSD's. */
    private static List<byte[]> cases() {
        List<byte[]> c = new ArrayList<>();
        int[][] utf8 = {{0xFF, 0xFE}, {0xC3, '('}, {0xED, 0xA0, 0x80}, {0xC0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0xC3}, {0xE2, 0x82},
            {0xEF, 0xBF, 0xBF}, {0xF0, 0x9F, 0x98, 0x80}, {0x80}, {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xE0, 0x80, 0xAF}, {0xEF, 0xBF, 0xBE},
            {0xEF, 0xBF, 0xBD}, {0xF4, 0x8F, 0xBF, 0xBF}, {0xF3, 0xBF, 0xBF, 0xBF}, {0xEF, 0xB7, 0x90}, {0xC1, 0xBF}, {0xFE}, {0}};
        for (int[] u : utf8) {
            byte[] b = new byte[u.length];
            for (int i = 0; i < u.length; i++) b[i] = (byte) u[i];
            c.add(id("\"", b, "\""));
        }
        for (String esc : new String[] {"\\u0000", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\uffff", "\\ufffe", "\\u12", "\\q", "\\ud83d\\ude00"}) {
            c.add(id("\"" + esc + "\""));
        }
        c.add(cat(new byte[] {(byte) 0xFF}, "{\"execute\":\"query-version\",\"id\":1}"));
        c.add(id(new byte[] {(byte) 0xC3, (byte) 0xA9}));
        for (String n : new String[] {"01", "1.", "-a", "0e5", "1e999999", "1e-999999", "18446744073709551615", "18446744073709551616",
                "-9223372036854775809", "1.5e3", "1" .repeat(20000), "-" + "9".repeat(20000), "1." + "1".repeat(20000), "0.000001", "1e-5"}) {
            c.add(id(n));
        }
        c.add(id("[".repeat(1023) + "]".repeat(1023)));
        c.add(id("[".repeat(1024) + "]".repeat(1024)));
        c.add(cat("{\"execute\":\"query-version\",\"arguments\":{\"a\":\"" + "x".repeat(20000) + "\"}}"));
        return c;
    }

    /** Every reply up to the END marker's, as text. */
    private static List<String> replies(QmpClient c, byte[] input) throws Exception {
        c.sendRaw(cat(input, "\n" + END + "\n"));
        List<String> out = new ArrayList<>();
        while (true) {
            String r = c.readText(120);
            if (r.startsWith("{\"event\"")) continue;
            if (r.endsWith("\"id\": \"END\"}")) return out;
            out.add(r.replaceFirst("\"package\": \"[^\"]*\"", "\"package\": \"P\""));
        }
    }

    @Test
    public void sameRepliesAsQsd() throws Exception {
        Daemon.assumeQsd();
        List<byte[]> cases = cases();
        List<List<String>> jsd = new ArrayList<>(), qsd = new ArrayList<>();
        for (Daemon.Kind kind : Daemon.Kind.values()) {
            Path dir = tmp.newFolder().toPath();
            try (Daemon d = Daemon.start(kind, dir, args()); QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process)) {
                c.exchange(CAPS);
                for (byte[] in : cases) (kind == Daemon.Kind.JSD ? jsd : qsd).add(replies(c, in));
            }
        }
        for (int i = 0; i < cases.size(); i++) {
            String in = new String(cases.get(i), 0, Math.min(80, cases.get(i).length), StandardCharsets.ISO_8859_1);
            assertEquals("input " + in, qsd.get(i), jsd.get(i));
        }
    }

    /** A 50 MB message, 10-million-digit numbers, 2 Mi tokens: each answered, the other monitor serving meanwhile. */
    @Test
    public void hugeMessagesAreAnsweredAndOthersServed() throws Exception {
        Path dir = tmp.newFolder().toPath();
        try (Daemon d = Daemon.start(Daemon.Kind.JSD, dir, args());
             QmpClient c = QmpClient.connect(d.socket("q.sock"), d.process);
             QmpClient other = QmpClient.connect(d.socket("r.sock"), d.process)) {
            c.exchange(CAPS);
            other.exchange(CAPS);
            String digits = "7".repeat(10 << 20);
            assertEquals(List.of("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'a' is unexpected\"}}"),
                    replies(c, cat("{\"execute\":\"query-version\",\"arguments\":{\"a\":\"" + "x".repeat(50 << 20) + "\"}}")));
            assertTrue(other.exchange("{\"execute\":\"query-version\"}").has("return"));
            List<String> r = replies(c, cat("{\"execute\":\"query-version\",\"id\":[" + digits + ",-" + digits + ",0." + digits + ",1e" + digits + "]}"));
            assertEquals(1, r.size());
            assertTrue(r.get(0), r.get(0).endsWith("\"id\": [inf, -inf, 0.77777777777777779, inf]}"));
            // 2 Mi + 3 tokens: the last number is one too many; the "]" and "}" after it are messages of their own, as in qemu
            List<String> count = replies(c, cat("{\"execute\":\"query-version\",\"id\":[" + "1,".repeat((1 << 20) - 4) + "1]}"));
            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON token count limit exceeded\"}}", count.get(0));
            assertEquals(3, count.size());
            List<String> big = replies(c, cat("{\"execute\":\"query-version\",\"id\":\"" + "y".repeat((64 << 20) + 8) + "\"}"));
            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON token size limit exceeded\"}}", big.get(0));
            assertTrue(c.exchange("{\"execute\":\"query-version\"}").has("return"));
            assertTrue(other.exchange("{\"execute\":\"query-version\"}").has("return"));
        }
    }
}
