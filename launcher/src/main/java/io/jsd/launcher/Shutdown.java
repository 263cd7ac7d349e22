package io.jsd.launcher;

import org.osgi.framework.launch.Framework;

/**
 * SIGTERM, SIGINT and SIGHUP end the daemon cleanly, as they do qemu-storage-daemon: the framework
 * stops (components close exports, monitors and images), then {@link Main} exits 0.
 */
final class Shutdown {
    private Shutdown() {}

    @SuppressWarnings("restriction")
    static void install(Framework framework) {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name),
                        sig -> Thread.ofPlatform().name("jsd-shutdown").start(() -> Main.stop(framework)));
            } catch (IllegalArgumentException e) {
                // The signal is reserved by the JVM (e.g. -Xrs): keep its default action.
            }
        }
    }
}
