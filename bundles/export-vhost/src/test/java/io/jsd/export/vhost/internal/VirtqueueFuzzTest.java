package io.jsd.export.vhost.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.AfterClass;

import io.jsd.testkit.MemoryNode;
import io.jsd.testkit.fuzz.FuzzTarget;

/**
 * Fuzzes what a guest controls in a split virtqueue: the descriptor table, indirect tables and the
 * avail ring (SplitVirtqueue.pop / chainAt), and the virtio-blk requests the chains carry
 * (VirtioBlkDevice.process on an in-memory node). Guest memory is two adjacent 64 KiB regions of a
 * memfd, so buffers that cross regions are split. Input: byte 0 = log2 of the queue size (1..256),
 * byte 1 = EVENT_IDX / INDIRECT_DESC, bytes 2-3 = last_avail_idx, then the bytes laid over guest
 * memory from address 0: descriptor table at 0x0, avail ring at 0x1000, the rest (indirect
 * tables, request headers, data) from 0x3000.
 *
 * <p>Invariant: a bad ring ends in VirtqueueException (the queue "needs reset"); every chain that
 * pops has buffers inside guest memory (the JDK checks each access) and is completed with a
 * status; at most queue-size chains pop per avail index; nothing else is thrown, and
 * VirtioBlkDevice never reaches its "failed unexpectedly" path (a RuntimeException or Error
 * inside a request).
 */
public class VirtqueueFuzzTest extends FuzzTarget {
    public static final int MAX_LEN = 8192;
    static final long REGION = 64 * 1024;
    static final long UVA = 0x7f00_0000_0000L;
    static final long DESC = 0, AVAIL = 0x1000, USED = 0x2000, REST = 0x3000;

    private static GuestMemory memory;
    private static MemorySegment guest;
    private static VirtioBlkDevice device;
    private static final ConcurrentLinkedQueue<LogRecord> UNEXPECTED = new ConcurrentLinkedQueue<>();

    private static synchronized void setUp() throws Exception {
        if (memory != null) return;
        int fd = Native.memfd("fuzz-guest", 2 * REGION);
        guest = MemorySegment.ofAddress(Native.mmap(fd, 2 * REGION, 0)).reinterpret(2 * REGION);
        memory = new GuestMemory(new MemoryRegion[] {
                MemoryRegion.map(0, REGION, UVA, 0, fd),
                MemoryRegion.map(REGION, REGION, UVA + REGION, REGION, fd)});
        device = new VirtioBlkDevice(new MemoryNode(1 << 20), true, false, 1, 512);
        Logger log = Logger.getLogger(VirtioBlkDevice.class.getName());
        log.setUseParentHandlers(false); // every bad request logs; only the unexpected ones matter here
        log.addHandler(CAPTURE);
    }

    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getThrown() != null && r.getLevel().intValue() >= Level.WARNING.intValue()) UNEXPECTED.add(r);
        }

        @Override public void flush() {}

        @Override public void close() {}
    };

    /** Gives the logger back to the other tests of this JVM. */
    @AfterClass
    public static void restoreLogging() {
        Logger log = Logger.getLogger(VirtioBlkDevice.class.getName());
        log.removeHandler(CAPTURE);
        log.setUseParentHandlers(true);
    }

    /** One-time set-up (Jazzer runs it before the first input, outside the per-input time bound). */
    public static void fuzzerInitialize() throws Exception {
        setUp();
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        setUp();
        if (data.length < 4) return;
        int size = 1 << ((data[0] & 0xff) % 9);
        boolean eventIdx = (data[1] & 1) != 0, indirect = (data[1] & 2) != 0;
        int lastAvail = ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        guest.fill((byte) 0);
        int n = data.length - 4;
        int descLen = Math.min(n, 16 * size);
        MemorySegment.copy(data, 4, guest, ValueLayout.JAVA_BYTE, DESC, descLen);
        int availLen = Math.min(n - descLen, 6 + 2 * size);
        if (availLen > 0) MemorySegment.copy(data, 4 + descLen, guest, ValueLayout.JAVA_BYTE, AVAIL, availLen);
        int rest = n - descLen - Math.max(availLen, 0);
        if (rest > 0) MemorySegment.copy(data, 4 + descLen + availLen, guest, ValueLayout.JAVA_BYTE, REST, rest);

        SplitVirtqueue q;
        try {
            q = new SplitVirtqueue(0, size, UVA + DESC, UVA + AVAIL, UVA + USED, lastAvail, eventIdx, indirect, memory, null);
        } catch (GuestMemoryException e) {
            throw new AssertionError("the harness's own ring layout was refused", e);
        }
        int popped = 0;
        try {
            for (DescriptorChain c = q.pop(); c != null; c = q.pop()) {
                if (++popped > size) throw new AssertionError("more than " + size + " chains popped from a queue of " + size);
                if (c.writableBytes() < 0) throw new AssertionError("negative writable length in chain " + c.head());
                q.push(c.head(), device.process(c));
            }
        } catch (VirtqueueException e) {
            // the guest broke the ring: the queue stops, as the spec's "needs reset"
        }
        LogRecord r = UNEXPECTED.poll();
        if (r != null) {
            UNEXPECTED.clear();
            throw new AssertionError("virtio-blk request failed unexpectedly: " + r.getThrown(), r.getThrown());
        }
    }
}
