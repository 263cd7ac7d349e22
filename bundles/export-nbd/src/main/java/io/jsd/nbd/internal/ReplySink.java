package io.jsd.nbd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises replies onto the wire. Workers queue their finished request; whichever worker holds
 * the lock writes everything queued in one gathering write (flat combining), so a burst of
 * completions costs one system call instead of one each, and no worker waits for another's write.
 */
final class ReplySink {
    private static final int MAX_BATCH_BUFFERS = 128;
    private static final long MAX_BATCH_BYTES = 8L << 20;

    private final Wire wire;
    private final Transmission owner;
    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer[] batch = new ByteBuffer[MAX_BATCH_BUFFERS];
    private final Request[] batchReqs = new Request[MAX_BATCH_BUFFERS];
    private volatile IOException failure;

    ReplySink(Wire wire, Transmission owner) {
        this.wire = wire;
        this.owner = owner;
    }

    IOException failure() { return failure; }

    /** Queues a reply without writing; the next {@link #flush} or {@link #send} writes it. */
    void enqueue(Request r) { queue.add(r); }

    /** Writes whatever is queued. */
    void flush() {
        while (!queue.isEmpty()) {
            if (!lock.tryLock()) return;
            try {
                writeQueued();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Queues {@code r}'s reply; the request is recycled once its bytes are written (or dropped). */
    void send(Request r) {
        queue.add(r);
        while (!queue.isEmpty()) {
            if (!lock.tryLock()) return; // the holder will see our request after it unlocks
            try {
                writeQueued();
            } finally {
                lock.unlock();
            }
        }
    }

    private void writeQueued() {
        while (true) {
            int nb = 0;
            int nr = 0;
            long bytes = 0;
            Request r;
            Request alone = null;
            while (nr < MAX_BATCH_BUFFERS && bytes < MAX_BATCH_BYTES && (r = queue.peek()) != null) {
                if (r.outCount > MAX_BATCH_BUFFERS - nb) {
                    if (nr == 0) {
                        alone = queue.poll();
                    }
                    break;
                }
                queue.poll();
                for (int i = 0; i < r.outCount; i++) {
                    batch[nb++] = r.out[i];
                    bytes += r.out[i].remaining();
                }
                batchReqs[nr++] = r;
            }
            if (alone != null) {
                write(alone.out, alone.outCount);
                owner.recycle(alone);
                continue;
            }
            if (nr == 0) return;
            write(batch, nb);
            for (int i = 0; i < nr; i++) {
                owner.recycle(batchReqs[i]);
                batchReqs[i] = null;
            }
            for (int i = 0; i < nb; i++) batch[i] = null;
        }
    }

    private void write(ByteBuffer[] bufs, int n) {
        if (failure != null) return;
        try {
            wire.write(bufs, 0, n);
        } catch (IOException e) {
            failure = e;
            owner.writeFailed(e);
        }
    }
}
