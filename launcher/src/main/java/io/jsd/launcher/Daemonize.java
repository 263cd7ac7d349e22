package io.jsd.launcher;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The child half of {@code --daemonize}. A JVM cannot fork, so bin/jsd starts it in the background
 * (in a new session) with {@code -Djsd.ready.fifo=FIFO} and waits on that FIFO: once core says the
 * daemon is ready, this writes "ready" there, and bin/jsd exits 0; if the JVM exits first, bin/jsd
 * exits with its code. Until then errors go to the caller's terminal; afterwards stdin, stdout and
 * stderr point to /dev/null as a daemon's should.
 */
final class Daemonize {
    private static final int O_RDWR = 2;

    private Daemonize() {}

    static void ready() {
        String fifo = System.getProperty("jsd.ready.fifo");
        if (fifo == null) return;
        System.out.flush();
        System.err.flush();
        try (OutputStream out = Files.newOutputStream(Path.of(fifo), StandardOpenOption.WRITE)) {
            out.write("ready\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            System.err.println("jsd: cannot signal readiness on " + fifo + ": " + e.getMessage());
        }
        detachStdio();
    }

    /** dup2(open("/dev/null"), 0/1/2) through the FFM API. */
    private static void detachStdio() {
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
            MethodHandle dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            int fd = (int) open.invokeExact(arena.allocateFrom("/dev/null"), O_RDWR);
            if (fd < 0) return;
            for (int target = 0; target <= 2; target++) {
                int r = (int) dup2.invokeExact(fd, target);
                if (r < 0) break;
            }
            if (fd > 2) {
                int r = (int) close.invokeExact(fd);
                if (r < 0) return;
            }
        } catch (Throwable t) {
            // Still running, only attached to the old stdio: not worth failing the daemon for.
        }
    }
}
