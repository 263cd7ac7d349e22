package io.jsd.core.internal.graph;

import io.jsd.block.BlockException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a graph open on a platform thread whose stack holds the deepest backing chain allowed.
 * Opening a chain recurses through the drivers (each image's driver opens its backing file), a
 * few KiB of stack per image: more than the stack of the monitor's virtual thread, or of any
 * small thread a caller may use, holds for a long chain. The stack is reserved, not committed.
 */
final class DeepStack {
    /** Far above what {@link BackingChain#MAX_DEPTH} images take. */
    static final long STACK_BYTES = 64L << 20;

    interface Call<T> {
        T run() throws BlockException;
    }

    private DeepStack() {}

    static <T> T call(String what, Call<T> call) throws BlockException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("jsd-open " + what).stackSize(STACK_BYTES).unstarted(() -> {
            try {
                result.set(call.run());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join(); // an open is not abandoned half-way: the graph lock is held until it ends
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable e = failure.get();
        if (e == null) return result.get();
        if (e instanceof BlockException b) throw b;
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
        throw BlockException.io("Opening " + what + " failed: " + e, e);
    }
}
