package io.jsd.core.internal.graph;

import io.jsd.block.BlockException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts requests in flight on a node so it can be drained: {@link #close} refuses new requests and
 * waits for the running ones. The fast path is one atomic increment and decrement; the lock is only
 * taken while someone is draining.
 */
final class IoGate {
    private final AtomicInteger inflight = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private volatile String closedReason = "node is not open yet";

    /** Enters the gate or throws the reason it is closed. Pair with {@link #exit()}. */
    void enter() throws BlockException {
        inflight.incrementAndGet();
        String reason = closedReason;
        if (reason != null) {
            exit();
            throw new BlockException(BlockException.Kind.IO, reason);
        }
    }

    void exit() {
        if (inflight.decrementAndGet() == 0 && closedReason != null) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Refuses new requests with {@code reason} and waits until the running ones have finished. */
    void close(String reason) {
        closedReason = reason;
        lock.lock();
        try {
            boolean interrupted = false;
            while (inflight.get() > 0) {
                try {
                    // bounded wait so a missed signal can never hang a drain
                    idle.await(10, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    void open() { closedReason = null; }

    boolean isOpen() { return closedReason == null; }
}
