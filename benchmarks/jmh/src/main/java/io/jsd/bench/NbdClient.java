package io.jsd.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The smallest NBD client that exercises a server's transmission phase: fixed-newstyle handshake,
 * NBD_OPT_GO, then simple-reply READ/WRITE one request at a time (NBD proto.md). Not thread-safe:
 * one per benchmark thread, like one connection per fio job.
 */
final class NbdClient implements AutoCloseable {
    private static final long NBDMAGIC = 0x4e42444d41474943L;
    private static final long IHAVEOPT = 0x49484156454F5054L;
    private static final long OPT_REPLY_MAGIC = 0x3e889045565a9L;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    private static final int FLAG_FIXED_NEWSTYLE = 1;
    private static final int FLAG_NO_ZEROES = 2;
    private static final int OPT_GO = 7;
    private static final int REP_ACK = 1;
    private static final int REP_INFO = 3;
    private static final short CMD_READ = 0;
    private static final short CMD_WRITE = 1;

    private final SocketChannel ch;
    private final ByteBuffer header = ByteBuffer.allocateDirect(28);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(16);
    private long cookie;
    long size;

    NbdClient(Path socket, String export) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        try {
            handshake(export);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void handshake(String export) throws IOException {
        ByteBuffer b = readFully(ByteBuffer.allocate(18));
        if (b.getLong() != NBDMAGIC || b.getLong() != IHAVEOPT) throw new IOException("not a newstyle NBD server");
        if ((b.getShort() & FLAG_FIXED_NEWSTYLE) == 0) throw new IOException("server is not fixed-newstyle");
        writeFully(ByteBuffer.allocate(4).putInt(0, FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES));
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        ByteBuffer go = ByteBuffer.allocate(16 + 4 + name.length + 2);
        go.putLong(IHAVEOPT).putInt(OPT_GO).putInt(4 + name.length + 2).putInt(name.length).put(name).putShort((short) 0);
        writeFully(go.flip());
        while (true) {
            ByteBuffer r = readFully(ByteBuffer.allocate(20));
            if (r.getLong() != OPT_REPLY_MAGIC) throw new IOException("bad option reply magic");
            r.getInt();
            int type = r.getInt();
            int len = r.getInt();
            ByteBuffer data = readFully(ByteBuffer.allocate(len));
            if (type == REP_ACK) return;
            if (type < 0) throw new IOException("NBD_OPT_GO refused: error " + Integer.toHexString(type));
            if (type == REP_INFO && len >= 12 && data.getShort(0) == 0) size = data.getLong(2); // NBD_INFO_EXPORT
        }
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset}; throws on an NBD error reply. */
    void read(long offset, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        send(CMD_READ, offset, len);
        writeFully(header);
        awaitReply();
        readFully(dst);
    }

    void write(long offset, ByteBuffer src) throws IOException {
        send(CMD_WRITE, offset, src.remaining());
        // header and payload in one gathering write: one syscall, as a real client does
        long n = (long) header.remaining() + src.remaining();
        while (n > 0) {
            long w = ch.write(new ByteBuffer[] {header, src});
            if (w < 0) throw new EOFException();
            n -= w;
        }
        awaitReply();
    }

    /**
     * Pipelined: sends one request per offset back to back, then takes the replies in whatever
     * order the server sends them (read data lands in {@code data}, overwritten each time; for
     * writes {@code data}'s content is the payload of every request).
     */
    void batch(boolean write, long[] offsets, ByteBuffer data) throws IOException {
        int len = data.remaining();
        long first = cookie + 1;
        ByteBuffer reqs = batchBuffer(offsets.length * (28 + (write ? len : 0)));
        for (long off : offsets) {
            reqs.putInt(REQUEST_MAGIC).putShort((short) 0).putShort(write ? CMD_WRITE : CMD_READ).putLong(++cookie)
                    .putLong(off).putInt(len);
            if (write) reqs.put(data.duplicate());
        }
        writeFully(reqs.flip());
        for (int i = 0; i < offsets.length; i++) {
            readFully(reply.clear());
            if (reply.getInt(0) != SIMPLE_REPLY_MAGIC) throw new IOException("bad reply magic");
            if (reply.getInt(4) != 0) throw new IOException("NBD error " + reply.getInt(4));
            long c = reply.getLong(8);
            if (c < first || c > cookie) throw new IOException("reply for an unknown request " + c);
            if (!write) readFully(data.duplicate());
        }
    }

    private ByteBuffer batch;

    private ByteBuffer batchBuffer(int size) {
        if (batch == null || batch.capacity() < size) batch = ByteBuffer.allocateDirect(size);
        return batch.clear();
    }

    private void send(short cmd, long offset, int len) {
        header.clear();
        header.putInt(REQUEST_MAGIC).putShort((short) 0).putShort(cmd).putLong(++cookie).putLong(offset).putInt(len).flip();
    }

    private void awaitReply() throws IOException {
        readFully(reply.clear());
        if (reply.getInt(0) != SIMPLE_REPLY_MAGIC) throw new IOException("bad reply magic");
        int err = reply.getInt(4);
        if (err != 0) throw new IOException("NBD error " + err);
        if (reply.getLong(8) != cookie) throw new IOException("reply for the wrong request");
    }

    private ByteBuffer readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new EOFException("server closed the connection");
        }
        return b.flip();
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    @Override
    public void close() throws IOException {
        // NBD_CMD_DISC, then hang up; the server may already be gone (JMH may tear the shared
        // server state down before the last thread's connection), which is fine at this point
        header.clear();
        header.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) 2).putLong(++cookie).putLong(0).putInt(0).flip();
        try {
            writeFully(header);
        } catch (IOException gone) {
            // nothing left to say goodbye to
        } finally {
            ch.close();
        }
    }
}
