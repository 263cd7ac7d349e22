package io.jsd.nbd.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A hand-driven NBD client for malformed and edge-case traffic. */
final class RawClient implements AutoCloseable {
    final SocketChannel ch;

    RawClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
    }

    ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new EOFException("server closed after " + b.position() + " of " + n + " bytes");
        }
        return b.flip();
    }

    void write(ByteBuffer b) throws IOException {
        b.flip();
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads the greeting and answers with fixed newstyle + no zeroes. */
    void greet() throws IOException {
        ByteBuffer g = read(18);
        if (g.getLong() != Nbd.NBDMAGIC || g.getLong() != Nbd.IHAVEOPT) throw new IOException("bad greeting");
        write(ByteBuffer.allocate(4).putInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES));
    }

    void option(int opt, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length);
        b.putLong(Nbd.IHAVEOPT).putInt(opt).putInt(data.length).put(data);
        write(b);
    }

    record OptReply(int opt, int type, byte[] data) {
        String text() { return new String(data, StandardCharsets.UTF_8); }
    }

    OptReply optReply() throws IOException {
        ByteBuffer h = read(20);
        if (h.getLong() != Nbd.REPLY_MAGIC) throw new IOException("bad reply magic");
        int opt = h.getInt();
        int type = h.getInt();
        int len = h.getInt();
        byte[] d = new byte[len];
        read(len).get(d);
        return new OptReply(opt, type, d);
    }

    /** NBD_OPT_GO on {@code name}; returns the final reply type (ACK or an error). */
    int go(String name) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer d = ByteBuffer.allocate(4 + n.length + 2).putInt(n.length).put(n).putShort((short) 0);
        option(Nbd.OPT_GO, d.array());
        while (true) {
            OptReply r = optReply();
            if (r.type() != Nbd.REP_INFO) return r.type();
        }
    }

    void request(int flags, int type, long cookie, long offset, int length, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28 + (payload == null ? 0 : payload.length));
        b.putInt(Nbd.REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(cookie).putLong(offset).putInt(length);
        if (payload != null) b.put(payload);
        write(b);
    }

    /** An extended-header request (after NBD_OPT_EXTENDED_HEADERS): 64-bit offset and length. */
    void extendedRequest(int flags, int type, long cookie, long offset, long length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putInt(Nbd.EXTENDED_REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(cookie)
                .putLong(offset).putLong(length);
        write(b);
    }

    /** One extended reply chunk. */
    record Chunk(int flags, int type, long cookie, long offset, byte[] payload) {
        boolean done() { return (flags & Nbd.REPLY_FLAG_DONE) != 0; }
        boolean error() { return (type & 0x8000) != 0; }
        int errno() { return ByteBuffer.wrap(payload).getInt(); }
        String message() {
            ByteBuffer p = ByteBuffer.wrap(payload);
            p.getInt();
            int n = p.getShort() & 0xffff;
            return new String(payload, 6, n, StandardCharsets.UTF_8);
        }
    }

    Chunk extendedChunk() throws IOException {
        ByteBuffer h = read(32);
        if (h.getInt() != Nbd.EXTENDED_REPLY_MAGIC) throw new IOException("not an extended reply");
        int flags = h.getShort() & 0xffff;
        int type = h.getShort() & 0xffff;
        long cookie = h.getLong();
        long offset = h.getLong();
        long len = h.getLong();
        if (len < 0 || len > (64 << 20)) throw new IOException("chunk of " + Long.toUnsignedString(len) + " bytes");
        byte[] d = new byte[(int) len];
        read((int) len).get(d);
        return new Chunk(flags, type, cookie, offset, d);
    }

    /** A simple reply: returns the error; the cookie must match. */
    int simpleReply(long cookie) throws IOException {
        ByteBuffer h = read(16);
        if (h.getInt() != Nbd.SIMPLE_REPLY_MAGIC) throw new IOException("not a simple reply");
        int err = h.getInt();
        long c = h.getLong();
        if (c != cookie) throw new IOException("cookie " + c + " != " + cookie);
        return err;
    }

    /** True when the server closes the connection (EOF or a reset) within 20 s; unread data is skipped. */
    boolean closedByServer() throws Exception {
        java.util.concurrent.FutureTask<Boolean> f = new java.util.concurrent.FutureTask<>(() -> {
            ByteBuffer b = ByteBuffer.allocate(4096);
            try {
                while (true) {
                    b.clear();
                    if (ch.read(b) < 0) return true;
                }
            } catch (IOException e) {
                return true;
            }
        });
        Thread.ofVirtual().start(f);
        try {
            return f.get(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            ch.close();
            return false;
        }
    }

    @Override
    public void close() throws IOException { ch.close(); }
}
