package io.jsd.driver.file.internal;

import static io.jsd.block.Permission.ALL;
import static io.jsd.block.Permission.CONSISTENT_READ;
import static io.jsd.block.Permission.RESIZE;
import static io.jsd.block.Permission.WRITE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.jsd.block.BlockException;
import io.jsd.block.NodeHandle;
import io.jsd.block.NodeUse;
import io.jsd.testkit.GraphHarness;
import io.jsd.testkit.Tool;
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
 * The file driver's lock bytes against the real qemu tools. A file node holds what its users hold
 * in total, as qemu's file-posix does: nothing without users, and for a user that writes and
 * shares neither write nor resize (what a writable qcow2 node asks of its file) the bytes that
 * keep qemu-img and qemu-io out. qcow2 images are used so the qemu tools ask for their strict
 * permissions; the users here stand in for JSD's parents (the end-to-end matrix is LockingIT).
 */
public class LockingInteropTest {
    /** What a writable / read-only qcow2 node holds and shares on its file (qemu's bdrv_default_perms_for_storage). */
    static final int QCOW2_RW = CONSISTENT_READ | WRITE | RESIZE, QCOW2_RO = CONSISTENT_READ, QCOW2_SHARED = ALL & ~(WRITE | RESIZE);

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
        assertEquals(0, Tool.run("qemu-img", "create", "-f", "qcow2", qcow2.toString(), "16M").exit());
        assertEquals(0, Tool.run("qemu-img", "create", "-f", "raw", raw.toString(), "16M").exit());
    }

    @After
    public void stop() throws Exception {
        h.clear();
        if (holder != null) {
            holder.getOutputStream().close(); // qemu-io exits at end of input
            if (!holder.waitFor(5, TimeUnit.SECONDS)) holder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
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

    private NodeHandle file(String name, Path img, String extra) throws Exception {
        return h.add("{'driver':'file','node-name':'" + name + "','filename':'" + img + "'" + extra + "}");
    }

    private static void expectLockError(NodeHandle n, int perm, int shared, String message, String hint) {
        try {
            n.use("test", perm, shared).close();
            fail("JSD took permissions qemu holds");
        } catch (BlockException e) {
            assertEquals(message, e.getMessage());
            assertEquals(hint, e.hint());
        }
    }

    private Tool.Result qemuIoWrite(Path img, String fmt) throws Exception {
        return Tool.run("qemu-io", "-f", fmt, "-c", "write 0 512", img.toString());
    }

    @Test
    public void aNodeWithoutUsersHoldsNothing() throws Exception {
        file("f", qcow2, "");
        Tool.Result w = qemuIoWrite(qcow2, "qcow2");
        assertEquals(w.output(), 0, w.exit());
    }

    @Test
    public void jsdRefusesPermissionsQemuHolds() throws Exception {
        hold("-f", "qcow2", qcow2.toString());
        NodeHandle f = file("f", qcow2, "");
        String hint = "Is another process using the image [" + qcow2 + "]?";
        expectLockError(f, QCOW2_RW, QCOW2_SHARED, "Failed to get \"write\" lock", hint);
        NodeHandle ro = file("ro", qcow2, ",'read-only':true");
        expectLockError(ro, QCOW2_RO, QCOW2_SHARED, "Failed to get shared \"write\" lock", hint);
        // a reader that shares everything (a raw image under QSD) gets in; so does force-share
        ro.use("reader", CONSISTENT_READ, ALL).close();
        // with locking=off nothing is checked
        file("nl", qcow2, ",'locking':'off'").use("test", QCOW2_RW, QCOW2_SHARED).close();
    }

    @Test
    public void qemuIsRefusedWhatJsdHolds() throws Exception {
        NodeHandle f = file("f", qcow2, "");
        try (NodeUse u = f.use("qcow2", QCOW2_RW, QCOW2_SHARED)) {
            Tool.Result w = qemuIoWrite(qcow2, "qcow2");
            assertNotEquals(w.output(), 0, w.exit());
            assertTrue(w.output(), w.output().contains("Failed to get \"write\" lock"));
            assertTrue(w.output(), w.output().contains("Is another process using the image [" + qcow2 + "]?"));
            Tool.Result r = Tool.run("qemu-io", "-r", "-f", "qcow2", "-c", "read 0 512", qcow2.toString());
            assertTrue(r.output(), r.output().contains("Failed to get shared \"write\" lock"));
            assertEquals(0, Tool.run("qemu-io", "-f", "qcow2", "-U", "-r", "-c", "read 0 512", qcow2.toString()).exit());
        }
        // released with the user
        assertEquals(0, qemuIoWrite(qcow2, "qcow2").exit());
    }

    @Test
    public void aChangeThatFailsLeavesTheOldLocks() throws Exception {
        hold("-r", "-f", "qcow2", qcow2.toString()); // a qcow2 reader: shares neither write nor resize
        NodeHandle f = file("f", qcow2, "");
        try (NodeUse u = f.use("reader", CONSISTENT_READ, ALL)) {
            try {
                u.update(CONSISTENT_READ | WRITE, ALL);
                fail("took write under a reader that does not share it");
            } catch (BlockException e) {
                assertEquals("Failed to get \"write\" lock", e.getMessage());
            }
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
            holder = null;
            // the failed change left no write byte behind: a qemu writer gets in next to the reader
            Tool.Result w = qemuIoWrite(qcow2, "qcow2");
            assertEquals(w.output(), 0, w.exit());
            // and a change that only loosens always works
            u.update(0, ALL);
        }
    }

    @Test
    public void blockdevCreateOfAnImageQemuUsesFailsAndLeavesItWhole() throws Exception {
        hold("-f", "qcow2", qcow2.toString());
        byte[] before = Files.readAllBytes(qcow2);
        try {
            FileCreator.create((com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree("{\"driver\":\"file\",\"filename\":\"" + qcow2 + "\",\"size\":1048576}"), null);
            fail("created over an image in use");
        } catch (BlockException e) {
            assertEquals("Failed to get \"write\" lock", e.getMessage());
            assertEquals("Is another process using the image [" + qcow2 + "]?", e.hint());
        }
        assertTrue("the image was not truncated", java.util.Arrays.equals(before, Files.readAllBytes(qcow2)));
    }

    @Test
    public void writersOfARawImageSeeEachOther() throws Exception {
        // qemu's raw format shares everything but resize with an NBD export, so QSD and qemu-io both write
        hold("-f", "raw", raw.toString());
        file("f", raw, "").use("export", CONSISTENT_READ | WRITE, ALL & ~RESIZE).close();
    }

    @Test
    public void nonRegularFilesAreRefusedWithoutBlocking() throws Exception {
        Path fifo = tmp.getRoot().toPath().resolve("fifo");
        assertEquals(0, Tool.run("mkfifo", fifo.toString()).exit());
        Path dir = tmp.newFolder("d").toPath();
        for (String ro : new String[] {"", ",'read-only':true"}) {
            expectOpenError("'file' driver requires '" + fifo + "' to be a regular file", fifo, ro);
            expectOpenError("'file' driver requires '/dev/null' to be a regular file", Path.of("/dev/null"), ro);
        }
        expectOpenError("Could not open '" + dir + "': Is a directory", dir, "");
        expectOpenError("'file' driver requires '" + dir + "' to be a regular file", dir, ",'read-only':true");
    }

    private void expectOpenError(String message, Path p, String extra) throws Exception {
        CompletableFuture<String> r = CompletableFuture.supplyAsync(() -> {
            try {
                file("x", p, extra);
                return "opened";
            } catch (Exception e) {
                return e.getMessage();
            }
        });
        assertEquals(message, r.get(20, TimeUnit.SECONDS));
    }
}
