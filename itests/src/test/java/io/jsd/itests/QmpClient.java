package io.jsd.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A minimal QMP client over a unix socket: every read has a deadline, events are collected apart. */
final class QmpClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel ch;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    final List<JsonNode> events = new ArrayList<>();
    final JsonNode greeting;

    private QmpClient(SocketChannel ch) throws IOException {
        this.ch = ch;
        this.greeting = readMessage(30);
    }

    /** Connects once the socket exists (the daemon may still be starting), bounded. */
    static QmpClient connect(Path socket, Process daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (daemon != null && !daemon.isAlive()) throw new IllegalStateException("daemon exited with " + daemon.exitValue());
            if (Files.exists(socket)) {
                try {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return new QmpClient(ch);
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) throw e;
                }
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("no QMP socket " + socket);
            Thread.sleep(20);
        }
    }

    void sendRaw(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) ch.write(b);
    }

    void sendRaw(String text) throws IOException { sendRaw(text.getBytes(StandardCharsets.UTF_8)); }

    /** Sends text and returns the next non-event message. */
    JsonNode exchange(String text) throws IOException {
        sendRaw(text + "\n");
        return reply();
    }

    JsonNode reply() throws IOException {
        while (true) {
            JsonNode m = readMessage(60);
            if (m.has("event")) events.add(m);
            else return m;
        }
    }

    /** The next line (CRLF-terminated JSON), read with a deadline. */
    JsonNode readMessage(long timeoutSeconds) throws IOException {
        return JSON.readTree(readText(timeoutSeconds));
    }

    /** The next line as sent (qemu may send what is not JSON, e.g. {@code inf}), read with a deadline. */
    String readText(long timeoutSeconds) throws IOException {
        var exec = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<String> f = exec.submit(this::readLine);
            String line = f.get(timeoutSeconds, TimeUnit.SECONDS);
            if (line == null) throw new IOException("connection closed");
            return line;
        } catch (java.util.concurrent.TimeoutException e) {
            close();
            throw new IOException("no QMP message within " + timeoutSeconds + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            throw new IOException(e);
        } finally {
            exec.shutdownNow();
        }
    }

    private String readLine() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(65536);
        while (true) {
            byte[] buf = pending.toByteArray();
            for (int i = 0; i < buf.length; i++) {
                if (buf[i] == '\n') {
                    String line = new String(buf, 0, i, StandardCharsets.UTF_8).strip();
                    pending.reset();
                    pending.write(buf, i + 1, buf.length - i - 1);
                    return line;
                }
            }
            one.clear();
            int n = ch.read(one);
            if (n < 0) return null;
            pending.write(one.array(), 0, n);
        }
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // Gone already.
        }
    }
}
