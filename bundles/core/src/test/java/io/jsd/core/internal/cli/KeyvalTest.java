package io.jsd.core.internal.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Set;

import org.junit.Test;

import io.jsd.options.OptionException;

/** qemu's key=value syntaxes (keyval, QemuOpts) and getopt_long handling, with qemu's messages. */
public class KeyvalTest {
    private static void fails(Runnable r, String message) {
        try {
            r.run();
            fail("expected: " + message);
        } catch (OptionException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void impliedKeyDottedKeysAndCommas() {
        Keyval.Parsed p = Keyval.parse("qcow2,node-name=a,,b,file.driver=file,file.filename=/x,,y,cache.direct=on", "driver");
        assertEquals("{\"driver\":\"qcow2\",\"node-name\":\"a,b\",\"file\":{\"driver\":\"file\",\"filename\":\"/x,y\"},\"cache\":{\"direct\":\"on\"}}",
                p.options().toString());
        assertEquals("{\"a\":\"2\"}", Keyval.parse("a=1,a=2", null).options().toString());
        assertTrue(Keyval.parse("help", "qom-type").help());
        assertTrue(Keyval.parse("iothread,help", "qom-type").help());
    }

    @Test
    public void keyvalErrors() {
        fails(() -> Keyval.parse("=x", "driver"), "Invalid parameter ''");
        fails(() -> Keyval.parse("null-co,node-name", "driver"), "Expected '=' after parameter 'node-name'");
        fails(() -> Keyval.parse("a.b=1,a=2", null), "Parameters 'a.*' used inconsistently");
        fails(() -> Keyval.parse("a=2,a.b=1", null), "Parameters 'a.*' used inconsistently");
        fails(() -> Keyval.parse("a..b=1", null), "Invalid parameter 'a..b'");
    }

    @Test
    public void qemuOpts() {
        Set<String> keys = Set.of("backend", "id", "server", "wait", "path");
        assertEquals("{\"backend\":\"socket\",\"id\":\"m\",\"server\":\"on\",\"wait\":\"off\"}",
                QemuOpts.parse("socket,id=m,server,nowait", "backend", keys).toString());
        fails(() -> QemuOpts.parse("socket,bogus=1", "backend", keys), "Invalid parameter 'bogus'");
    }

    @Test
    public void getopt() throws Exception {
        List<CliOption> o = GetOpt.parse(new String[] {"--block", "null-co", "--export=nbd,id=e", "-T", "x", "-hV", "pos"});
        assertEquals(List.of(new CliOption("--blockdev", "null-co"), new CliOption("--export", "nbd,id=e"), new CliOption("-T", "x"),
                new CliOption("-h", null), new CliOption("-V", null), new CliOption("", "pos")), o);
        assertEquals(List.of(new CliOption("--daemonize", null)), GetOpt.parse(new String[] {"--d"}));
        for (String[] bad : new String[][] {{"--foo"}, {"-x"}, {"--blockdev"}, {"--daemonize=1"}}) {
            try {
                GetOpt.parse(bad);
                fail(String.join(" ", bad));
            } catch (GetOpt.UsageError e) {
                assertTrue(e.getMessage(), e.getMessage().contains("option"));
            }
        }
    }
}
