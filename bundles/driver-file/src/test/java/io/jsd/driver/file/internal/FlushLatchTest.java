package io.jsd.driver.file.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.IoFlags;
import io.jsd.testkit.GraphHarness;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * After one failed fdatasync the file node fails every later flush and every FUA write (qemu's
 * page_cache_inconsistent), through core's wrapper; plain writes and reads keep working; with
 * cache.direct=on the failure does not latch.
 */
public class FlushLatchTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private FileNode captured;
    private final GraphHarness h = new GraphHarness().driver("file", ctx -> captured = FileOpener.open("file", ctx));

    @After
    public void close() { h.clear(); }

    private BlockNode open(String extra) throws Exception {
        Path image = tmp.newFile().toPath();
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        return h.add("{'driver':'file','node-name':'f0','filename':'" + image + "'" + extra + "}").io();
    }

    /** fdatasync fails {@code failures} times with EIO, then the real one runs again. */
    private AtomicInteger failNext(int failures) {
        AtomicInteger calls = new AtomicInteger();
        FileNode n = captured;
        FlushLatch.Sync real = n.sync;
        n.sync = () -> {
            if (calls.incrementAndGet() <= failures) throw new IOException("Input/output error");
            real.run();
        };
        return calls;
    }

    private static void assertFails(String what, BlockException.Kind kind, ThrowingRunnable r) {
        try {
            r.run();
            fail(what + " succeeded");
        } catch (BlockException e) {
            assertEquals(what, kind, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("Input/output error"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    public void oneFailedFdatasyncFailsEveryLaterFlushAndFuaWrite() throws Exception {
        BlockNode n = open("");
        n.write(0, ByteBuffer.allocate(4096), 0);
        n.flush();
        AtomicInteger calls = failNext(1);
        n.write(0, ByteBuffer.allocate(4096).put(0, (byte) 1), 0);
        assertFails("first flush", BlockException.Kind.IO, n::flush);
        assertFails("second flush", BlockException.Kind.IO, n::flush); // the real fdatasync would succeed now
        assertFails("FUA write", BlockException.Kind.IO, () -> n.write(4096, ByteBuffer.allocate(512), IoFlags.FUA));
        assertFails("FUA write-zeroes", BlockException.Kind.IO, () -> n.writeZeroes(8192, 4096, IoFlags.FUA));
        assertEquals("fdatasync is not even tried again", 1, calls.get());
        n.write(0, ByteBuffer.allocate(512), 0); // a plain write still goes to the page cache, as in qemu
        n.read(0, ByteBuffer.allocate(512));
    }

    @Test
    public void directIoDoesNotLatch() throws Exception {
        BlockNode n = open(",'cache':{'direct':true}");
        failNext(1);
        assertFails("first flush", BlockException.Kind.IO, n::flush);
        n.flush(); // O_DIRECT bypasses the page cache: nothing was dropped
    }
}
