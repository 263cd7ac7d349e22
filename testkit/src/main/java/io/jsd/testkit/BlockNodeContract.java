package io.jsd.testkit;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.IoFlags;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The contract every block driver meets, run through core's normalising wrapper (what exports and
 * parents see). A driver's test extends this and opens a writable node of {@link #SIZE} bytes.
 */
public abstract class BlockNodeContract {
    protected static final int SIZE = 4 << 20;

    protected BlockNode node;

    /** Opens a writable node of {@code size} bytes, zero-filled. */
    protected abstract BlockNode open(long size) throws Exception;

    /** Releases what {@link #open} made. */
    protected void close() throws Exception {}

    /** False for sinks such as null-co: data written is not read back. */
    protected boolean stores() { return true; }

    @Before
    public void setUpNode() throws Exception { node = open(SIZE); }

    @After
    public void tearDownNode() throws Exception { close(); }

    protected static byte[] pattern(int len, long seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected byte[] read(long off, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        node.read(off, b);
        assertEquals("read must fill the buffer", len, b.position());
        return b.array();
    }

    protected void write(long off, byte[] data, int flags) throws BlockException {
        ByteBuffer b = ByteBuffer.wrap(data);
        node.write(off, b, flags);
        assertEquals("write must consume the buffer", data.length, b.position());
    }

    @Test
    public void sizeIsWhatWasAsked() throws Exception {
        assertEquals(SIZE, node.size());
    }

    @Test
    public void readAfterWriteAlignedAndUnaligned() throws Exception {
        assumeTrue(stores());
        long[][] cases = {{0, 4096}, {4096, 65536}, {1, 1}, {511, 513}, {1000, 10000}, {SIZE - 3, 3}, {123457, 1 << 20}};
        for (long[] c : cases) {
            byte[] p = pattern((int) c[1], c[0]);
            write(c[0], p, 0);
            assertArrayEquals("at " + c[0] + "+" + c[1], p, read(c[0], (int) c[1]));
        }
    }

    @Test
    public void unalignedWriteKeepsNeighbours() throws Exception {
        assumeTrue(stores());
        byte[] base = pattern(8192, 7);
        write(0, base, 0);
        write(100, new byte[] {1, 2, 3}, 0);
        byte[] expect = base.clone();
        expect[100] = 1; expect[101] = 2; expect[102] = 3;
        assertArrayEquals(expect, read(0, 8192));
    }

    @Test
    public void directBuffersWork() throws Exception {
        assumeTrue(stores());
        ByteBuffer src = ByteBuffer.allocateDirect(8192);
        src.put(pattern(8192, 3)).flip();
        node.write(8192, src, 0);
        ByteBuffer dst = ByteBuffer.allocateDirect(8192);
        node.read(8192, dst);
        dst.flip();
        src.flip();
        assertEquals(src, dst);
    }

    @Test
    public void writeZeroesReadsAsZero() throws Exception {
        byte[] zero = new byte[20000];
        if (stores()) write(0, pattern(65536, 9), 0);
        node.writeZeroes(1000, 20000, 0);
        if (stores()) assertArrayEquals(zero, read(1000, 20000));
        node.writeZeroes(0, 65536, IoFlags.MAY_UNMAP);
        if (stores()) assertArrayEquals(new byte[65536], read(0, 65536));
    }

    @Test
    public void fuaWriteIsReadBack() throws Exception {
        assumeTrue(stores());
        byte[] p = pattern(4096, 11);
        write(4096, p, IoFlags.FUA);
        assertArrayEquals(p, read(4096, 4096));
    }

    @Test
    public void discardLeavesOtherDataAlone() throws Exception {
        byte[] p = pattern(3 * 65536, 13);
        if (stores()) write(0, p, 0);
        node.discard(65536, 65536);
        if (stores()) {
            assertArrayEquals(java.util.Arrays.copyOfRange(p, 0, 65536), read(0, 65536));
            assertArrayEquals(java.util.Arrays.copyOfRange(p, 131072, 196608), read(131072, 65536));
        }
    }

    @Test
    public void flushSucceeds() throws Exception {
        if (stores()) write(0, pattern(512, 1), 0);
        node.flush();
    }

    @Test
    public void outOfBoundsIsRefused() throws Exception {
        expectRange(() -> node.read(SIZE - 1, ByteBuffer.allocate(2)));
        expectRange(() -> node.read(-1, ByteBuffer.allocate(1)));
        expectRange(() -> node.write(SIZE, ByteBuffer.allocate(1), 0));
        expectRange(() -> node.writeZeroes(SIZE - 10, 11, 0));
        expectRange(() -> node.discard(SIZE, 1));
        node.read(SIZE, ByteBuffer.allocate(0)); // empty at the end is fine
    }

    private interface Io { void run() throws BlockException; }

    private static void expectRange(Io io) {
        try {
            io.run();
            fail("out-of-range request was accepted");
        } catch (BlockException e) {
            assertEquals(BlockException.Kind.OUT_OF_RANGE, e.kind());
        }
    }

    @Test
    public void blockStatusCoversTheStart() throws Exception {
        BlockStatus s = node.blockStatus(4096, 65536);
        assertEquals(4096, s.offset());
        assertTrue(s.length() >= 1 && s.length() <= 65536);
        if (stores()) {
            write(0, pattern(4096, 5), 0);
            BlockStatus d = node.blockStatus(0, 4096);
            assertTrue("written data must not be reported as zero", d.isData() || !d.isZero());
        }
    }

    @Test
    public void concurrentWritersFromVirtualThreads() throws Exception {
        int threads = 64, blocksEach = 8, bs = 4096;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < blocksEach; i++) {
                        long off = (long) (i * threads + id) * bs;
                        write(off, pattern(bs, off), i % 3 == 0 ? IoFlags.FUA : 0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        }
        if (!stores()) return;
        for (long off = 0; off < (long) threads * blocksEach * bs; off += bs) {
            assertArrayEquals("block at " + off, pattern(bs, off), read(off, bs));
        }
    }
}
