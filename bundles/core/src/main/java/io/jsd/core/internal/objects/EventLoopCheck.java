package io.jsd.core.internal.objects;

import java.util.List;

import io.jsd.options.OptionException;
import io.jsd.options.Options;

/**
 * iothread and main-loop properties as qemu checks them (iothread.c, event-loop-base.c,
 * aio_context_set_thread_pool_params): each value non-negative when set, then the thread-pool
 * bounds together when the object is completed.
 */
final class EventLoopCheck {
    private static final List<String> IOTHREAD = List.of("poll-max-ns", "poll-grow", "poll-shrink", "aio-max-batch", "thread-pool-min", "thread-pool-max");
    private static final List<String> MAIN_LOOP = List.of("aio-max-batch", "thread-pool-min", "thread-pool-max");

    private EventLoopCheck() {}

    static void iothread(Options o) { check(o, IOTHREAD); }

    static void mainLoop(Options o) { check(o, MAIN_LOOP); }

    private static void check(Options o, List<String> props) {
        for (String k : props) {
            long v = o.integer(k, 0);
            if (v < 0) throw new OptionException(k + " value must be in range [0, " + Long.MAX_VALUE + "]");
        }
        long min = o.integer("thread-pool-min", 0);
        long max = o.integer("thread-pool-max", 64);
        if (min > max || max <= 0 || min > Integer.MAX_VALUE || max > Integer.MAX_VALUE) {
            throw new OptionException("bad thread-pool-min/thread-pool-max values");
        }
    }
}
