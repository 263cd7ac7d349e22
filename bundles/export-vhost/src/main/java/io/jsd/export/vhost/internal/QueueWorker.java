package io.jsd.export.vhost.internal;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The thread of one started virtqueue. It blocks in poll() on the kick eventfd (a native wait, so a
 * platform thread: it would pin a virtual thread's carrier), pops every available chain and runs
 * each request on its own virtual thread; completions push to the used ring under the queue's lock.
 * {@link #stop} wakes it through a private eventfd and returns once every request it started has
 * completed, so the rings and guest memory can be released safely afterwards.
 */
final class QueueWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(QueueWorker.class.getName());
    /**
     * Requests of one ring in flight at most (what a queue started from now on takes; tests lower
     * it). With MAX_SEGMENTS buffers per chain this bounds what a guest's ring makes us hold.
     */
    static volatile int maxInFlightDefault = 256;

    private final SplitVirtqueue vq;
    private final VhostUserBackend device;
    private final int kickFd;
    private final int wakeFd;
    private final Consumer<String> broken;
    private final String name;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean enabled;
    private final int maxInFlight = maxInFlightDefault;
    /** Requests running (guarded by this). */
    private int running;
    /** The ring still has chains we left there because {@link #maxInFlight} were running (guarded by this). */
    private boolean throttled;

    QueueWorker(String name, SplitVirtqueue vq, VhostUserBackend device, int kickFd, boolean enabled,
                Consumer<String> broken) throws IOException {
        this.name = name;
        this.vq = vq;
        this.device = device;
        this.kickFd = kickFd;
        this.enabled = enabled;
        this.broken = broken;
        this.wakeFd = Native.eventfd();
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this);
    }

    void start() { thread.start(); }

    void setEnabled(boolean on) {
        enabled = on;
        Native.signal(wakeFd);
    }

    @Override
    public void run() {
        try {
            List<Integer> resubmit = vq.recoverInflight();
            if (!resubmit.isEmpty()) LOG.info(name + ": resubmitting " + resubmit.size() + " request(s) left in flight by the previous back-end");
            for (int head : resubmit) submit(vq.chainAt(head));
            boolean notified = false;
            while (!stopping) {
                if (enabled && !notified) {
                    vq.notifyNow();
                    notified = true;
                }
                processAvailable(); // also picks up what was published while the ring was stopped
                int ready = Native.waitReadable(kickFd, wakeFd);
                if ((ready & 2) != 0) Native.drain(wakeFd);
                if (stopping) break;
                if ((ready & 1) != 0) Native.drain(kickFd);
            }
        } catch (VirtqueueException e) {
            LOG.warning(name + ": the guest broke the virtqueue, stopping it: " + e.getMessage());
            broken.accept(e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, name + ": queue thread failed", e);
            broken.accept(String.valueOf(e.getMessage()));
        } finally {
            awaitRequests();
        }
    }

    private void processAvailable() throws VirtqueueException {
        if (!enabled) return;
        DescriptorChain chain;
        while (!stopping) {
            synchronized (this) {
                // Requests in flight hold their chains (up to MAX_SEGMENTS buffers each): past the
                // cap the rest waits in the ring until completions make room (they wake us).
                if (running >= maxInFlight) {
                    throttled = true;
                    return;
                }
            }
            if ((chain = vq.pop()) == null) return;
            submit(chain);
        }
    }

    private void submit(DescriptorChain chain) {
        synchronized (this) {
            running++;
        }
        Thread.ofVirtual().start(() -> {
            try {
                int len = device.process(chain);
                vq.push(chain.head(), len);
            } finally {
                synchronized (this) {
                    running--;
                    if (throttled && running < maxInFlight) {
                        throttled = false;
                        // under the lock: awaitRequests (and so closing wakeFd) cannot run first
                        Native.signal(wakeFd);
                    }
                    if (running == 0) notifyAll();
                }
            }
        });
    }

    private synchronized void awaitRequests() {
        boolean interrupted = false;
        while (running > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Stops the queue: no new chains, and returns when all started requests have completed. */
    void stop() {
        stopping = true;
        Native.signal(wakeFd);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        Native.close(wakeFd);
    }
}
