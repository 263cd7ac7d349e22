package io.jsd.qcow2.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockException;
import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.testkit.BackingChains;
import io.jsd.testkit.GraphHarness;

/**
 * Hostile backing chains made by the real qemu-img: an image that is its own backing file, two
 * that name each other, a hard link to an image of the chain, a chain as deep as JSD's limit and
 * deeper ones (the issue's 500; QSD 10 opens that in half a minute, and loops on a cycle until
 * memory or descriptors run out). Opening never overflows the stack of the calling thread, a
 * refused open leaves no node and no file descriptor behind, and the graph keeps working.
 */
public class BackingChainTest {
    /** core's BackingChain.MAX_DEPTH. */
    private static final int MAX_DEPTH = 256;
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private final GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("qcow2", new Qcow2Driver());

    @BeforeClass
    public static void peers() { Assume.assumeTrue(Harness.haveQemu()); }

    @After
    public void clear() { h.clear(); }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** A blockdev-add run on a thread with a small stack, as a monitor's virtual thread may have. */
    private NodeHandle addOnSmallStack(String json) throws Exception {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = Thread.ofPlatform().stackSize(256 << 10).start(() -> {
            try {
                out.set(h.add(json));
            } catch (Throwable e) {
                out.set(e);
            }
        });
        t.join(600_000);
        assertTrue("blockdev-add did not return", !t.isAlive());
        if (out.get() instanceof Exception e) throw e;
        if (out.get() instanceof Error e) throw new AssertionError("blockdev-add threw " + e, e);
        return (NodeHandle) out.get();
    }

    private String qcow2(Path img) { return "{'driver':'qcow2','node-name':'top','file':{'driver':'file','filename':'" + img + "'}}"; }

    /** Expects the open of {@code img} to be refused with {@code message}, leaving nothing open. */
    private void refused(Path img, String message) throws Exception {
        long fds = openFds();
        try {
            addOnSmallStack(qcow2(img));
            fail("opened " + img);
        } catch (BlockException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(message));
        }
        assertEquals("nodes left after a refused open", 0, h.graph.nodes().size());
        assertEquals("file descriptors leaked by a refused open", fds, openFds());
        // the graph still works
        NodeHandle ok = h.add(qcow2(chain(tmp.newFolder().toPath(), 1)));
        assertEquals(4, h.graph.nodes().size());
        h.graph.delete(ok.nodeName());
    }

    @Test
    public void anImageThatIsItsOwnBackingFileIsRefused() throws Exception {
        Path self = tmp.getRoot().toPath().resolve("self.qcow2");
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", self.toString(), "1M");
        Harness.run("qemu-img", "rebase", "-u", "-b", "self.qcow2", "-F", "qcow2", self.toString());
        refused(self, "Could not open backing file: Backing file chain loops: '" + self + "' is already part of it");
    }

    @Test
    public void twoImagesNamingEachOtherAreRefused() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path a = dir.resolve("a.qcow2"), b = dir.resolve("b.qcow2");
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", a.toString(), "1M");
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", b.toString(), "1M");
        Harness.run("qemu-img", "rebase", "-u", "-b", "b.qcow2", "-F", "qcow2", a.toString());
        Harness.run("qemu-img", "rebase", "-u", "-b", "a.qcow2", "-F", "qcow2", b.toString());
        refused(a, "Could not open backing file: Could not open backing file: Backing file chain loops: '" + a + "' is already part of it");
    }

    @Test
    public void aHardLinkToAnImageInTheChainIsACycle() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path a = dir.resolve("a.qcow2"), link = dir.resolve("link.qcow2");
        Harness.run("qemu-img", "create", "-q", "-f", "qcow2", a.toString(), "1M");
        Harness.run("qemu-img", "rebase", "-u", "-b", "link.qcow2", "-F", "qcow2", a.toString());
        Files.createLink(link, a);
        refused(a, "Backing file chain loops: '" + link + "' is already part of it");
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on a thread with bin/jsd's stack size (-Xss512k, which bounds its virtual threads too). */
    private static void onDaemonSizedStack(Body body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().stackSize(512 << 10).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(600_000);
        assertTrue(!t.isAlive());
        if (failure.get() instanceof Exception e) throw e;
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    @Test
    public void aChainAsDeepAsTheLimitOpensReadsAndCloses() throws Exception {
        Path top = chain(tmp.getRoot().toPath(), MAX_DEPTH);
        long fds = openFds();
        NodeHandle n = addOnSmallStack(qcow2(top));
        assertEquals(2 * MAX_DEPTH + 2, h.graph.nodes().size());
        onDaemonSizedStack(() -> {
            ByteBuffer b = ByteBuffer.allocate(512);
            n.io().read(0, b); // falls through every image to the base, which holds 0x11
            assertEquals(0x11, b.get(0));
            assertEquals(MAX_DEPTH, n.describe().get("backing_file_depth").asInt());
        });
        onDaemonSizedStack(() -> h.graph.delete("top"));
        assertEquals(0, h.graph.nodes().size());
        assertEquals(fds, openFds());
    }

    @Test
    public void theIssuesChain500DeepIsRefusedWithAClearError() throws Exception {
        refused(chain(tmp.getRoot().toPath(), 500), "Could not open backing file: Backing file chain too deep: more than " + MAX_DEPTH);
    }

    @Test
    public void aChainDeeperThanTheLimitIsRefused() throws Exception {
        Path top = chain(tmp.getRoot().toPath(), MAX_DEPTH + 1);
        refused(top, "Backing file chain too deep: more than " + MAX_DEPTH + " backing files");
    }

    /** A chain of {@code depth} overlays over a base holding 0x11, with relative backing names. */
    static Path chain(Path dir, int depth) throws Exception {
        Path top = BackingChains.deep(dir, depth);
        Harness.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 512", dir.resolve("c0000.qcow2").toString());
        return top;
    }
}
