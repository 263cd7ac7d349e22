package io.jsd.nbd.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for request payloads, in power-of-two classes from 4 KiB to 32 MiB, kept for reuse
 * so the request path does not allocate (and the socket and file channels need no bounce copies).
 */
final class BufferPool {
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 25;
    /** Bytes kept idle per class at most (at least one buffer, at most 256). */
    private static final long KEEP_BYTES = 8L << 20;

    static final BufferPool SHARED = new BufferPool();

    private final ConcurrentLinkedDeque<ByteBuffer>[] free;
    private final AtomicInteger[] kept;
    private final int[] maxKept;

    @SuppressWarnings("unchecked")
    BufferPool() {
        int n = MAX_SHIFT - MIN_SHIFT + 1;
        free = new ConcurrentLinkedDeque[n];
        kept = new AtomicInteger[n];
        maxKept = new int[n];
        for (int i = 0; i < n; i++) {
            free[i] = new ConcurrentLinkedDeque<>();
            kept[i] = new AtomicInteger();
            maxKept[i] = (int) Math.min(256, Math.max(1, KEEP_BYTES >> (MIN_SHIFT + i)));
        }
    }

    private static int classOf(int size) {
        int shift = size <= 1 << MIN_SHIFT ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(size - 1);
        return shift - MIN_SHIFT;
    }

    /** A buffer with position 0 and limit {@code size} (at most 32 MiB). */
    ByteBuffer get(int size) {
        int c = classOf(size);
        if (c >= free.length) throw new IllegalArgumentException("buffer too large: " + size);
        ByteBuffer b = free[c].pollFirst();
        if (b != null) {
            kept[c].decrementAndGet();
            b.clear();
        } else {
            b = ByteBuffer.allocateDirect(1 << (c + MIN_SHIFT));
        }
        b.limit(size);
        return b;
    }

    void put(ByteBuffer b) {
        if (b == null || !b.isDirect()) return;
        int c = classOf(b.capacity());
        if (c >= free.length || b.capacity() != 1 << (c + MIN_SHIFT)) return;
        if (kept[c].incrementAndGet() <= maxKept[c]) {
            free[c].addFirst(b);
        } else {
            kept[c].decrementAndGet();
        }
    }
}
