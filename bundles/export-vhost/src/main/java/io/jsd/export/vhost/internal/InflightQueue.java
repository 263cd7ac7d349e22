package io.jsd.export.vhost.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One queue's part of the inflight shared memory ("Inflight I/O tracking", split virtqueues in
 * vhost-user.rst). It survives a back-end crash because the front-end keeps the memfd and hands it
 * back with SET_INFLIGHT_FD; the new back-end then resubmits every descriptor still marked.
 *
 * <pre>
 * struct QueueRegionSplit { u64 features; u16 version; u16 desc_num; u16 last_batch_head; u16 used_idx;
 *                           struct DescStateSplit { u8 inflight; u8 pad[5]; u16 next; u64 counter; } desc[]; }
 * </pre>
 */
final class InflightQueue {
    static final int HEADER = 16, DESC = 16, ALIGN = 64;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long VERSION = 8, DESC_NUM = 10, LAST_BATCH_HEAD = 12, USED_IDX = 14;

    private final MemorySegment seg;
    private final int descNum;

    private InflightQueue(MemorySegment seg, int descNum) {
        this.seg = seg;
        this.descNum = descNum;
    }

    static long regionSize(int queueSize) {
        long n = HEADER + (long) DESC * queueSize;
        return (n + ALIGN - 1) & ~(ALIGN - 1L);
    }

    /** Fresh region layout (the memory is zero). */
    static void initialise(MemorySegment seg, int queueSize) {
        seg.set(U16, VERSION, (short) 1);
        seg.set(U16, DESC_NUM, (short) queueSize);
    }

    /** A view of a region that must describe at least {@code vringSize} descriptors, or null. */
    static InflightQueue of(MemorySegment seg, int vringSize) {
        int descNum = seg.get(U16, DESC_NUM) & 0xffff;
        long fits = (seg.byteSize() - HEADER) / DESC;
        if (descNum < vringSize || descNum > fits) return null;
        return new InflightQueue(seg, descNum);
    }

    private long desc(int head) { return HEADER + (long) DESC * head; }

    void begin(int head, long counter) {
        seg.set(U64, desc(head) + 8, counter);
        VarHandle.releaseFence();
        seg.set(ValueLayout.JAVA_BYTE, desc(head), (byte) 1);
    }

    void lastBatchHead(int head) { seg.set(U16, LAST_BATCH_HEAD, (short) head); }

    void end(int head, int usedIdx) {
        VarHandle.releaseFence();
        seg.set(ValueLayout.JAVA_BYTE, desc(head), (byte) 0);
        VarHandle.releaseFence();
        seg.set(U16, USED_IDX, (short) usedIdx);
    }

    /** Heads to resubmit, oldest first; repairs a push that the old back-end left half done. */
    List<Integer> recover(int ringUsedIdx, int vringSize) {
        if ((seg.get(U16, USED_IDX) & 0xffff) != ringUsedIdx) {
            int h = seg.get(U16, LAST_BATCH_HEAD) & 0xffff;
            if (h < descNum) seg.set(ValueLayout.JAVA_BYTE, desc(h), (byte) 0);
            seg.set(U16, USED_IDX, (short) ringUsedIdx);
        }
        List<long[]> found = new ArrayList<>();
        for (int i = 0; i < vringSize; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, desc(i)) == 1) found.add(new long[] {seg.get(U64, desc(i) + 8), i});
        }
        found.sort(Comparator.comparingLong(a -> a[0]));
        List<Integer> heads = new ArrayList<>(found.size());
        for (long[] f : found) heads.add((int) f[1]);
        return heads;
    }

    long maxCounter() {
        long max = 0;
        for (int i = 0; i < descNum; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, desc(i)) == 1) max = Math.max(max, seg.get(U64, desc(i) + 8));
        }
        return max;
    }
}
