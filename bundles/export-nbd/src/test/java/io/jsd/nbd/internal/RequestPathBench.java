package io.jsd.nbd.internal;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-process benchmark of the request path (decode, execute on an in-memory node, reply) with a
 * minimal pipelining client, no fio or libnbd in the way:
 * {@code java -cp ... io.jsd.nbd.internal.RequestPathBench [read|write] [QD] [CONNECTIONS] [SECONDS]}.
 * Prints requests per second. Not a unit test: run it by hand when changing the hot path.
 */
public final class RequestPathBench {
    private RequestPathBench() {}

    public static void main(String[] args) throws Exception {
        boolean write = args.length > 0 && args[0].equals("write");
        int qd = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int conns = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        Path dir = Files.createTempDirectory("nbd-bench");
        TestServer server = new TestServer(dir);
        long size = 256L << 20;
        MemNode node = new MemNode(size);
        node.write(0, ByteBuffer.allocate((int) Math.min(size, 64L << 20)), 0); // allocate the first 64 MiB
        server.export("disk", node, true, null);
        LongAdder done = new LongAdder();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] ts = new Thread[conns];
        for (int c = 0; c < conns; c++) {
            ts[c] = Thread.ofPlatform().start(() -> {
                try {
                    client(server.socket, write, qd, end, done);
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
        }
        for (Thread t : ts) t.join();
        System.out.printf("%s 4k QD%d x %d connection(s): %.0f requests/s%n", write ? "write" : "read", qd, conns,
                done.sum() / (double) seconds);
        server.close();
        Files.deleteIfExists(dir);
        System.exit(0);
    }

    private static void client(Path socket, boolean write, int qd, long end, LongAdder done) throws Exception {
        try (RawClient c = new RawClient(socket)) {
            c.greet();
            if (c.go("disk") != Nbd.REP_ACK) throw new IllegalStateException("GO failed");
            SocketChannel ch = c.ch;
            int reqLen = 28 + (write ? 4096 : 0);
            ByteBuffer req = ByteBuffer.allocateDirect(reqLen * qd);
            ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
            java.util.Random rnd = new java.util.Random(1);
            long cookie = 0;
            int inflight = 0;
            int replyLen = 16 + (write ? 0 : 4096);
            in.limit(0);
            while (true) {
                boolean go = System.nanoTime() < end;
                req.clear();
                while (go && inflight < qd) {
                    req.putInt(Nbd.REQUEST_MAGIC).putShort((short) 0).putShort((short) (write ? Nbd.CMD_WRITE : Nbd.CMD_READ))
                            .putLong(cookie++).putLong((rnd.nextInt(16384)) * 4096L).putInt(4096);
                    if (write) req.position(req.position() + 4096);
                    inflight++;
                }
                req.flip();
                while (req.hasRemaining()) ch.write(req);
                if (inflight == 0) return;
                // read at least one reply
                in.compact();
                do {
                    if (ch.read(in) < 0) return;
                } while (in.position() < replyLen);
                in.flip();
                while (in.remaining() >= replyLen) {
                    in.position(in.position() + replyLen);
                    inflight--;
                    done.increment();
                }
            }
        }
    }
}
