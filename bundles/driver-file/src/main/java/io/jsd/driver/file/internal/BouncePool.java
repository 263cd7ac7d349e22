package io.jsd.driver.file.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Aligned direct buffers for O_DIRECT requests whose memory is not aligned. Allocating direct
 * memory per request is slow and leans on the GC to free it, so up to {@link #KEEP} buffers of
 * {@link #SIZE} bytes are kept for reuse.
 */
final class BouncePool {
    static final int SIZE = 1 << 20;
    private static final int KEEP = 16;
    private static final int ALIGN = 4096; // covers every logical block size
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();

    /** A buffer with {@code len} bytes remaining, aligned to 4096; give it back with {@link #release}. */
    ByteBuffer take(int len) {
        if (len > SIZE) return ByteBuffer.allocateDirect(len + ALIGN).alignedSlice(ALIGN).limit(len);
        ByteBuffer b = free.poll();
        if (b == null) b = ByteBuffer.allocateDirect(SIZE + ALIGN).alignedSlice(ALIGN).slice(0, SIZE);
        else kept.decrementAndGet();
        return b.clear().limit(len);
    }

    void release(ByteBuffer b) {
        if (b.capacity() != SIZE || kept.incrementAndGet() > KEEP) {
            if (b.capacity() == SIZE) kept.decrementAndGet();
            return;
        }
        free.offer(b);
    }
}
