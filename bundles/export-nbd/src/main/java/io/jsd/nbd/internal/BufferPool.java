package io.jsd.nbd.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for request payloads, in power-of-two classes from 4 KiB to 32 MiB, kept for reuse
 * so the request path does not allocate (and the socket and file channels need no bounce copies).
 * The bytes handed out at once are capped below the JVM's direct-memory limit: past the cap (or when
 * the JVM itself is out of direct memory) {@link #get} fails with {@link NoBufferMemory}, which the
 * request that asked answers with ENOMEM. What each connection may hold is bounded by its own
 * in-flight budget ({@link Transmission}), so one client cannot take everything.
 */
final class BufferPool {
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 25;
    /** Bytes kept idle per class at most (at least one buffer, at most 256). */
    private static final long KEEP_BYTES = 8L << 20;

    static final BufferPool SHARED = new BufferPool(defaultLimit());

    private final ConcurrentLinkedDeque<ByteBuffer>[] free;
    private final AtomicInteger[] kept;
    private final int[] maxKept;
    /** Capacity of the buffers handed out and not yet given back. */
    private final AtomicLong inUse = new AtomicLong();
    private volatile long limit;

    @SuppressWarnings("unchecked")
    BufferPool(long limit) {
        this.limit = limit;
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

    /**
     * Three quarters of the JVM's direct-memory limit (the rest is for socket, TLS and file channel
     * buffers); -Djsd.nbd.bufferMemory=BYTES overrides it.
     */
    private static long defaultLimit() {
        Long configured = Long.getLong("jsd.nbd.bufferMemory");
        if (configured != null) return configured;
        long max = Runtime.getRuntime().maxMemory(); // the direct limit defaults to the heap limit
        try {
            String v = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("-XX:MaxDirectMemorySize=")).reduce((a, b) -> b).orElse(null);
            if (v != null) max = parseSize(v.substring(v.indexOf('=') + 1));
        } catch (RuntimeException | LinkageError e) {
            // no management API: keep the heap limit
        }
        return max / 4 * 3;
    }

    private static long parseSize(String s) {
        long mul = switch (Character.toLowerCase(s.charAt(s.length() - 1))) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        return Long.parseLong(mul == 1 ? s : s.substring(0, s.length() - 1)) * mul;
    }

    /** For tests: changes the cap (returns the old one). */
    long limit(long bytes) {
        long old = limit;
        limit = bytes;
        return old;
    }

    /** Bytes handed out and not given back (for tests and diagnostics). */
    long inUse() { return inUse.get(); }

    private static int classOf(int size) {
        int shift = size <= 1 << MIN_SHIFT ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(size - 1);
        return shift - MIN_SHIFT;
    }

    /** A buffer with position 0 and limit {@code size} (at most 32 MiB); give it back with {@link #put}. */
    ByteBuffer get(int size) throws NoBufferMemory {
        int c = classOf(size);
        if (c >= free.length) throw new IllegalArgumentException("buffer too large: " + size);
        int cap = 1 << (c + MIN_SHIFT);
        if (inUse.addAndGet(cap) > limit) {
            inUse.addAndGet(-cap);
            throw new NoBufferMemory();
        }
        ByteBuffer b = free[c].pollFirst();
        if (b != null) {
            kept[c].decrementAndGet();
            b.clear();
        } else {
            try {
                b = ByteBuffer.allocateDirect(cap);
            } catch (OutOfMemoryError e) {
                inUse.addAndGet(-cap);
                throw new NoBufferMemory();
            }
        }
        b.limit(size);
        return b;
    }

    void put(ByteBuffer b) {
        if (b == null || !b.isDirect()) return;
        int c = classOf(b.capacity());
        if (c >= free.length || b.capacity() != 1 << (c + MIN_SHIFT)) return;
        inUse.addAndGet(-b.capacity());
        if (kept[c].incrementAndGet() <= maxKept[c]) {
            free[c].addFirst(b);
        } else {
            kept[c].decrementAndGet();
        }
    }

    /** No buffer could be had: the pool's cap or the JVM's direct-memory limit is reached. */
    static final class NoBufferMemory extends Exception {
        NoBufferMemory() { super("No memory", null, false, false); }
    }
}
