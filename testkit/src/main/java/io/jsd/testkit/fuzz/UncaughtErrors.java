package io.jsd.testkit.fuzz;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Catches what kills a thread of the code under test (an uncaught exception, a
 * StackOverflowError, an OutOfMemoryError), which the fuzz input itself never sees: installed as
 * this JVM's default uncaught-exception handler, it records each one (still passing it to the
 * handler it replaced, or printing it as the JVM would) for {@link #check()} to report.
 */
public final class UncaughtErrors {
    private final String threads;
    private final ConcurrentLinkedQueue<Throwable> seen = new ConcurrentLinkedQueue<>();
    private volatile Thread.UncaughtExceptionHandler previous;

    /** {@code threads} names whose thread died in the failure, e.g. "a server thread". */
    public UncaughtErrors(String threads) { this.threads = threads; }

    /** Becomes the default handler (once per test class, in its one-time set-up). */
    public void install() {
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            seen.add(e);
            if (previous != null) previous.uncaughtException(t, e);
            else {
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace();
            }
        });
    }

    /** Gives the default handler back to the other tests of this JVM (from an {@code @AfterClass}). */
    public void restore() { Thread.setDefaultUncaughtExceptionHandler(previous); }

    /** Fails with the first thread death recorded since the last check, forgetting the rest. */
    public void check() {
        Throwable t = seen.poll();
        if (t != null) {
            seen.clear();
            throw new AssertionError(threads + " died: " + t, t);
        }
    }
}
