package io.jsd.export.vhost.internal;

import java.util.function.Consumer;

/**
 * Names the cause of every request that completes with VIRTIO_BLK_S_IOERR on stderr, so a guest's
 * "I/O error" can be traced to the exception (or the rejected request) behind it. Rate-limited: at
 * most {@link #BURST} lines per {@link #WINDOW_NANOS}; what was left out is counted in the next line.
 */
final class IoErrorLog {
    static final int BURST = 10;
    static final long WINDOW_NANOS = 10_000_000_000L;

    private final String who;
    private final Consumer<String> sink;
    private long windowStart = System.nanoTime();
    private int inWindow;
    private long suppressed;

    IoErrorLog(String who) { this(who, System.err::println); }

    IoErrorLog(String who, Consumer<String> sink) {
        this.who = who;
        this.sink = sink;
    }

    /** Reports one failed request; {@code cause} may be null when the request itself was refused. */
    void report(String request, String reason, Throwable cause) {
        String line;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart > WINDOW_NANOS) {
                windowStart = now;
                inWindow = 0;
            }
            if (++inWindow > BURST) {
                suppressed++;
                return;
            }
            line = who + ": " + request + " failed with IOERR: " + reason
                    + (cause == null ? "" : " (" + describe(cause) + ")")
                    + (suppressed > 0 ? " [" + suppressed + " earlier IOERR(s) not logged]" : "");
            suppressed = 0;
        }
        sink.accept(line);
    }

    private static String describe(Throwable t) {
        StringBuilder b = new StringBuilder(t.toString());
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) b.append(" <- ").append(c);
        return b.toString();
    }
}
