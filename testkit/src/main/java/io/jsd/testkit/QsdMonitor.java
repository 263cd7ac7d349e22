package io.jsd.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real qemu-storage-daemon with one QMP monitor on a unix socket, capabilities negotiated, for
 * tests that compare JSD's replies with QSD's. Stopped by its PID on {@link #close()}.
 */
public final class QsdMonitor implements AutoCloseable {
    private static final ObjectMapper M = new ObjectMapper();
    private final Process qsd;
    private final SocketChannel qmp;
    private final BufferedReader in;
    private final java.util.List<JsonNode> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Whether {@code tool} is an executable on PATH (a test skips with Assume when it is not). */
    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    /** Starts QSD with its monitor socket in {@code dir} and waits (bounded) until it answers. */
    public QsdMonitor(Path dir) throws Exception {
        Path sock = dir.resolve("qsd-qmp.sock");
        qsd = new ProcessBuilder("qemu-storage-daemon", "--chardev", "socket,id=m,path=" + sock + ",server=on,wait=off",
                "--monitor", "chardev=m").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        SocketChannel ch = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ch == null) {
                try {
                    ch = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !qsd.isAlive()) throw e;
                    Thread.sleep(20);
                }
            }
            qmp = ch;
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(qmp), StandardCharsets.UTF_8));
            in.readLine(); // greeting
            call("{\"execute\":\"qmp_capabilities\"}");
        } catch (Exception | Error e) {
            if (ch != null) ch.close();
            stop();
            throw e;
        }
    }

    /** The events received so far (while waiting for replies), oldest first. */
    public java.util.List<JsonNode> events() { return java.util.List.copyOf(events); }

    /**
     * Sends one command and returns its reply; events in between are kept for {@link #events()}.
     * A reply that does not come within {@link #REPLY_SECONDS} fails the call (the monitor socket is
     * closed, so the blocked read ends) rather than hanging the test.
     */
    public JsonNode call(String json) throws Exception {
        java.util.concurrent.CompletableFuture<Void> answered = new java.util.concurrent.CompletableFuture<>();
        answered.completeOnTimeout(null, REPLY_SECONDS, TimeUnit.SECONDS).thenRun(() -> {
            if (!replied) closeQuietly();
        });
        replied = false;
        try {
            qmp.write(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
            while (true) {
                String line;
                try {
                    line = in.readLine();
                } catch (IOException e) {
                    if (!qmp.isOpen()) throw new IllegalStateException("qemu-storage-daemon gave no reply within " + REPLY_SECONDS + " s to " + json, e);
                    throw e;
                }
                if (line == null) throw new IllegalStateException("qemu-storage-daemon closed the monitor");
                JsonNode r = M.readTree(line);
                if (!r.has("event")) return r;
                events.add(r);
            }
        } finally {
            replied = true;
            answered.complete(null);
        }
    }

    /** How long {@link #call} waits for a reply. */
    public static final int REPLY_SECONDS = 120;
    private volatile boolean replied;

    private void closeQuietly() {
        try {
            qmp.close();
        } catch (IOException e) {
            // the call that timed out reports it
        }
    }

    private void stop() throws InterruptedException {
        qsd.destroy();
        if (!qsd.waitFor(10, TimeUnit.SECONDS)) qsd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        try {
            qmp.close();
        } finally {
            stop();
        }
    }
}
