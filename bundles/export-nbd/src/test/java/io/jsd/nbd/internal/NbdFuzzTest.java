package io.jsd.nbd.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.AfterClass;
import org.junit.Ignore;
import org.junit.Test;

import io.jsd.testkit.fuzz.FuzzTarget;
import io.jsd.testkit.fuzz.UncaughtErrors;

/**
 * Fuzzes the NBD server (Handshake, then Transmission) over a real unix socket, against writable
 * and read-only in-memory exports. The first input byte picks what the harness does before the
 * fuzzed bytes go out: nothing (the client's flags and options are fuzzed), or a correct fixed
 * newstyle handshake ending in NBD_OPT_GO with simple, structured or extended replies (the
 * requests are fuzzed), or the same on the read-only export.
 *
 * <p>Invariant, per input: the server ends the connection or answers everything within the
 * bound once the client stops sending (no hang); no server thread dies of an uncaught exception
 * or error (StackOverflowError, OutOfMemoryError under the fuzzer's small heap); and afterwards a
 * new client still completes a handshake and a read (the server survived). Protocol errors are
 * answered on the wire or end that one connection, which is allowed.
 */
public class NbdFuzzTest extends FuzzTarget {
    public static final int MAX_LEN = 4096;
    /**
     * Known defect owned by another change (issue 8, "hostile": extended-header lengths >= 2^63
     * pass validation as negative numbers; a WRITE with such a length hangs the connection). Until
     * it is merged the harness does not negotiate extended headers itself (mode 3 runs as mode 2),
     * so the bounded run in the suite stays green; set to true with that fix, and enable
     * {@link #extendedWriteWithLengthOver2to63()}.
     */
    static final boolean EXTENDED_LENGTHS_FIXED = true;
    /** How long the server may take to answer and close; generous for busy machines (first use also loads classes). */
    private static final long BOUND_SECONDS = 30;

    private static TestServer server;
    private static Path socket;
    private static final UncaughtErrors UNCAUGHT = new UncaughtErrors("a server thread");

    /** Gives the default handler back to the other tests of this JVM. */
    @AfterClass
    public static void restoreHandler() {
        UNCAUGHT.restore();
    }

    private static synchronized void start() throws Exception {
        if (server != null) return;
        Path dir = Files.createTempDirectory("jsd-nbd-fuzz");
        dir.toFile().deleteOnExit();
        server = new TestServer(dir, "\"handshake-max-seconds\":5", null);
        server.export("disk", new MemNode(1L << 20), true, null);
        server.export("ro", new MemNode(1L << 20, new MemNode(1L << 20)), false, null);
        socket = server.socket;
        UNCAUGHT.install();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // the JVM is ending
            }
            socket.toFile().delete();
            dir.toFile().delete();
        }));
    }

    /** One-time set-up (Jazzer runs it before the first input, outside the per-input time bound). */
    public static void fuzzerInitialize() throws Exception {
        start();
        checkServerAlive(); // loads the classes of a whole connection once
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        run(data, !EXTENDED_LENGTHS_FIXED);
    }

    /** One input; {@code avoidKnown}: do not negotiate extended headers (the known defect, until it is fixed). */
    static void run(byte[] data, boolean avoidKnown) throws Exception {
        start();
        if (data.length == 0) return;
        int mode = (data[0] & 0xff) % 5;
        if (mode == 3 && avoidKnown) mode = 2;
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            // everything the server sends is read (and dropped) concurrently, so neither side blocks on a full buffer
            FutureTask<Long> drain = new FutureTask<>(() -> drain(ch));
            Thread.ofVirtual().name("nbd-fuzz-drain").start(drain);
            try {
                ByteBuffer out = ByteBuffer.wrap(concat(prefix(mode), rest));
                while (out.hasRemaining()) ch.write(out);
                ch.shutdownOutput();
            } catch (IOException e) {
                // the server dropped the connection mid-input: allowed for a protocol error
            }
            try {
                drain.get(BOUND_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the server neither answered nor closed within " + BOUND_SECONDS + " s of the end of input (mode " + mode + ")");
            }
        }
        UNCAUGHT.check();
        checkServerAlive();
        UNCAUGHT.check();
    }

    /** Found by this fuzzer: extended WRITE, length 0xd3d3d3d3d3d3d3d3; the connection hangs (see EXTENDED_LENGTHS_FIXED). */
    @Test
    public void extendedWriteWithLengthOver2to63() throws Exception {
        run(Files.readAllBytes(Path.of("src/test/resources/fuzz-open/NbdFuzzTest/extended-write-length-over-2to63")), false);
    }

    private static long drain(SocketChannel ch) {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        long n = 0;
        try {
            while (true) {
                b.clear();
                int r = ch.read(b);
                if (r < 0) return n;
                n += r;
            }
        } catch (IOException e) {
            return n; // reset by the server: closed as well
        }
    }

    /** A fresh client still gets an export and reads from it. */
    private static void checkServerAlive() throws Exception {
        FutureTask<Void> probe = new FutureTask<>(() -> {
            try (RawClient c = new RawClient(socket)) {
                c.greet();
                int r = c.go("disk");
                if (r != Nbd.REP_ACK) throw new AssertionError("NBD_OPT_GO on a fresh connection answered " + r);
                c.request(0, Nbd.CMD_READ, 1, 0, 512, null);
                int err = c.simpleReply(1);
                if (err != 0) throw new AssertionError("a read on a fresh connection failed with errno " + err);
                c.read(512);
            }
            return null;
        });
        Thread.ofVirtual().name("nbd-fuzz-probe").start(probe);
        try {
            probe.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("a fresh client got no answer within " + BOUND_SECONDS + " s after the input");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("the server no longer serves a fresh client: " + e.getCause(), e.getCause());
        }
    }

    /** What the harness sends before the fuzzed bytes. */
    static byte[] prefix(int mode) {
        if (mode == 0) return new byte[0];
        ByteBuffer b = ByteBuffer.allocate(256);
        b.putInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES);
        String name = mode == 4 ? "ro" : "disk";
        if (mode == 2 || mode == 4) option(b, Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
        if (mode == 3) option(b, Nbd.OPT_EXTENDED_HEADERS, new byte[0]);
        if (mode >= 2) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] q = "base:allocation".getBytes(StandardCharsets.UTF_8);
            ByteBuffer d = ByteBuffer.allocate(4 + n.length + 4 + 4 + q.length);
            d.putInt(n.length).put(n).putInt(1).putInt(q.length).put(q);
            option(b, Nbd.OPT_SET_META_CONTEXT, d.array());
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        option(b, Nbd.OPT_GO, ByteBuffer.allocate(4 + n.length + 2).putInt(n.length).put(n).putShort((short) 0).array());
        return Arrays.copyOf(b.array(), b.position());
    }

    private static void option(ByteBuffer b, int opt, byte[] data) {
        b.putLong(Nbd.IHAVEOPT).putInt(opt).putInt(data.length).put(data);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
