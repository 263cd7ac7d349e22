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

    /** Sends one command and returns its reply; events in between are kept for {@link #events()}. */
    public JsonNode call(String json) throws Exception {
        qmp.write(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        while (true) {
            String line = in.readLine();
            if (line == null) throw new IllegalStateException("qemu-storage-daemon closed the monitor");
            JsonNode r = M.readTree(line);
            if (!r.has("event")) return r;
            events.add(r);
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
