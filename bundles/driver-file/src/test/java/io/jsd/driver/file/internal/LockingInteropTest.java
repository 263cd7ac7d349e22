package io.jsd.driver.file.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.jsd.block.BlockException;
import io.jsd.testkit.GraphHarness;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Image locking against the real qemu tools: JSD and qemu must see each other's lock bytes.
 * qcow2 images are used where qemu takes the strict locks (a qcow2 node refuses to share write
 * and resize on its file); JSD opens them with the file driver, which is all locking concerns.
 */
public class LockingInteropTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private final GraphHarness h = new GraphHarness().driver("file", new FileDriver());
    private Process holder;
    private Path qcow2, raw;

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    @Before
    public void images() throws Exception {
        assumeTrue("qemu-img/qemu-io not installed", onPath("qemu-img") && onPath("qemu-io"));
        qcow2 = tmp.getRoot().toPath().resolve("q.qcow2");
        raw = tmp.getRoot().toPath().resolve("r.img");
        assertEquals(0, run("qemu-img", "create", "-f", "qcow2", qcow2.toString(), "16M").exit);
        assertEquals(0, run("qemu-img", "create", "-f", "raw", raw.toString(), "16M").exit);
    }

    @After
    public void stop() throws Exception {
        h.clear();
        if (holder != null) {
            holder.getOutputStream().close(); // qemu-io exits at end of input
            if (!holder.waitFor(5, TimeUnit.SECONDS)) holder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    record Result(int exit, String output) {}

    private static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                return e.toString();
            }
        });
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            fail("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS));
    }

    /** Starts qemu-io holding {@code img} open (writable unless -r is in {@code args}) and waits until it has. */
    private void hold(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "qemu-io";
        System.arraycopy(args, 0, cmd, 1, args.length);
        holder = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        OutputStream in = holder.getOutputStream();
        in.write("read 0 512\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> opened = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = r.readLine()) != null; ) if (l.contains("read 512/512")) return true;
            } catch (Exception e) {
                // fall through
            }
            return false;
        });
        assertTrue("qemu-io did not open the image", opened.get(20, TimeUnit.SECONDS));
    }

    private void expectLockError(String json, String message) throws Exception {
        try {
            h.add(json);
            fail("JSD opened an image qemu holds");
        } catch (BlockException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void jsdRefusesToWriteAnImageQemuHoldsForWriting() throws Exception {
        hold("-f", "qcow2", qcow2.toString());
        expectLockError("{'driver':'file','node-name':'f','filename':'" + qcow2 + "'}", "Failed to get \"write\" lock");
        expectLockError("{'driver':'file','node-name':'f','read-only':true,'filename':'" + qcow2 + "'}",
                "Failed to get shared \"resize\" lock");
        // force-share and locking=off are the two ways around it, as in qemu
        h.add("{'driver':'file','node-name':'fs','read-only':true,'force-share':true,'filename':'" + qcow2 + "'}");
        h.add("{'driver':'file','node-name':'nl','locking':'off','filename':'" + qcow2 + "'}");
    }

    @Test
    public void qemuRefusesToWriteAnImageJsdHoldsForWriting() throws Exception {
        h.add("{'driver':'file','node-name':'f','filename':'" + qcow2 + "'}");
        Result w = run("qemu-io", "-f", "qcow2", "-c", "write 0 512", qcow2.toString());
        assertNotEquals(w.output, 0, w.exit);
        // qemu tests resize first: JSD, like qemu-storage-daemon with an export, does not share it
        assertTrue(w.output, w.output.contains("Failed to get \"resize\" lock"));
        h.add("{'driver':'file','node-name':'r','filename':'" + raw + "'}");
        Result resize = run("qemu-img", "resize", "-f", "raw", raw.toString(), "32M");
        assertNotEquals(resize.output, 0, resize.exit);
        assertTrue(resize.output, resize.output.contains("Failed to get \"resize\" lock"));
        // reading with -U (force share) is fine, as it is against qemu-storage-daemon
        assertEquals(0, run("qemu-io", "-f", "qcow2", "-U", "-r", "-c", "read 0 512", qcow2.toString()).exit);
    }

    @Test
    public void locksGoAwayWithTheNode() throws Exception {
        h.add("{'driver':'file','node-name':'f','filename':'" + qcow2 + "'}");
        h.graph.delete("f");
        Result w = run("qemu-io", "-f", "qcow2", "-c", "write 0 512", qcow2.toString());
        assertEquals(w.output, 0, w.exit);
    }

    @Test
    public void qemuHoldingARawImageStillLetsJsdOpenIt() throws Exception {
        // qemu's raw format shares everything but resize, so QSD opens such an image too
        hold("-f", "raw", raw.toString());
        h.add("{'driver':'file','node-name':'f','filename':'" + raw + "'}");
    }
}
