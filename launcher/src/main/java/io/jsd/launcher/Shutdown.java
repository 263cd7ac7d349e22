package io.jsd.launcher;

import org.osgi.framework.launch.Framework;

/**
 * SIGTERM, SIGINT and SIGHUP end the daemon cleanly, as they do qemu-storage-daemon: the framework
 * stops (components close exports, monitors and images); then, like QSD, the process dies by the
 * same signal (exit status 128+N for the shell), see {@link #reraise()}.
 */
@SuppressWarnings("restriction")
final class Shutdown {
    private static volatile sun.misc.Signal received;

    private Shutdown() {}

    static void install(Framework framework) {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    received = sig;
                    Thread.ofPlatform().name("jsd-shutdown").start(() -> Main.stop(framework));
                });
            } catch (IllegalArgumentException e) {
                // The signal is reserved by the JVM (e.g. -Xrs): keep its default action.
            }
        }
    }

    /** After a signal-initiated stop: restore the default action and raise the signal again. */
    static void reraise() {
        sun.misc.Signal sig = received;
        if (sig == null) return;
        System.out.flush();
        System.err.flush();
        // The JVM will not raise a signal it has no handler for, so do it natively: signal(N, SIG_DFL); raise(N).
        try {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            var lookup = linker.defaultLookup();
            var signal = linker.downcallHandle(lookup.find("signal").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(
                    java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS));
            var raise = linker.downcallHandle(lookup.find("raise").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(
                    java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT));
            java.lang.foreign.MemorySegment old = (java.lang.foreign.MemorySegment) signal.invokeExact(sig.getNumber(), java.lang.foreign.MemorySegment.NULL);
            int r = (int) raise.invokeExact(sig.getNumber());
            if (old == null || r != 0) return;
        } catch (Throwable t) {
            // Fall back to a plain exit.
        }
    }
}
