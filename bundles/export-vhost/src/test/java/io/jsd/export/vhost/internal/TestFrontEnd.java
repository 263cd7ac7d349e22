package io.jsd.export.vhost.internal;

import static io.jsd.export.vhost.internal.VhostUser.*;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * A hand-made vhost-user front-end: guest memory in a memfd, one split ring per queue laid out in
 * it, and helpers to place descriptor chains and wait for their completion.
 */
final class TestFrontEnd implements Closeable {
    static final long GPA = 0x100000, MEM = 4 << 20;
    static final int QSIZE = 16;
    static final long RINGS = 0, RING_STRIDE = 0x4000, DATA = 0x40000;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final AFUNIXSocket sock;
    final InputStream in;
    final OutputStream out;
    final int memFd;
    final long memAddr;
    final MemorySegment mem;
    final int[] kick = new int[8], call = new int[8];
    final int[] availIdx = new int[8];
    final int[] nextDesc = new int[8];

    TestFrontEnd(Path socket) throws IOException {
        sock = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket));
        sock.setSoTimeout(10_000);
        sock.setAncillaryReceiveBufferSize(1024);
        in = sock.getInputStream();
        out = sock.getOutputStream();
        memFd = Native.memfd("test-guest", MEM);
        memAddr = Native.mmap(memFd, MEM, 0);
        mem = MemorySegment.ofAddress(memAddr).reinterpret(MEM);
    }

    // ---- messages ----

    void send(int request, int flags, byte[] payload, int... fds) throws IOException {
        ByteBuffer m = ByteBuffer.allocate(12 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(request).putInt(VERSION | flags).putInt(payload.length).put(payload);
        if (fds.length > 0) {
            FileDescriptor[] fd = new FileDescriptor[fds.length];
            for (int i = 0; i < fds.length; i++) fd[i] = FileDescriptorCast.unsafeUsing(fds[i]).getFileDescriptor();
            sock.setOutboundFileDescriptors(fd);
        }
        out.write(m.array());
        out.flush();
    }

    ByteBuffer reply(int request) throws IOException {
        byte[] h = readN(12);
        ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        if (hb.getInt(0) != request) throw new IOException("reply to " + hb.getInt(0) + ", expected " + request);
        return ByteBuffer.wrap(readN(hb.getInt(8))).order(ByteOrder.LITTLE_ENDIAN);
    }

    int receivedFd() throws IOException {
        FileDescriptor[] fds = sock.getReceivedFileDescriptors();
        if (fds == null || fds.length != 1) throw new IOException("expected one fd");
        int fd = Native.dup(FileDescriptorCast.using(fds[0]).as(Integer.class));
        new java.io.FileInputStream(fds[0]).close();
        return fd;
    }

    byte[] readN(int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(b, got, n - got);
            if (r < 0) throw new EOFException();
            got += r;
        }
        return b;
    }

    static byte[] u64(long v) { return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array(); }

    static byte[] pair(int a, int b) { return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(a).putInt(b).array(); }

    long get(int request) throws IOException {
        send(request, 0, new byte[0]);
        return reply(request).getLong(0);
    }

    /** Sends with NEED_REPLY and returns the ack value (0 = success). */
    long acked(int request, byte[] payload, int... fds) throws IOException {
        send(request, FLAG_NEED_REPLY, payload, fds);
        return reply(request).getLong(0);
    }

    byte[] region(long gpa, long size, long uva, long off) {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(gpa).putLong(size).putLong(uva).putLong(off).array();
    }

    /** The whole handshake QEMU does, with {@code queues} rings of QSIZE. */
    void setUp(int queues, long featureMask) throws IOException {
        long f = get(GET_FEATURES);
        send(SET_FEATURES, 0, u64(f & featureMask));
        long pf = get(GET_PROTOCOL_FEATURES);
        send(SET_PROTOCOL_FEATURES, 0, u64(pf));
        send(SET_OWNER, 0, new byte[0]);
        ByteBuffer t = ByteBuffer.allocate(8 + 32).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(1).putInt(0).put(region(GPA, MEM, memAddr, 0));
        if (acked(SET_MEM_TABLE, t.array(), memFd) != 0) throw new IOException("SET_MEM_TABLE failed");
        for (int q = 0; q < queues; q++) startQueue(q);
    }

    long ringGpa(int q) { return GPA + RINGS + q * RING_STRIDE; }

    long gpaToUva(long gpa) { return memAddr + (gpa - GPA); }

    void startQueue(int q) throws IOException {
        send(SET_VRING_NUM, 0, pair(q, QSIZE));
        long desc = ringGpa(q), avail = desc + 16 * QSIZE, used = desc + 0x1000;
        ByteBuffer a = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        a.putInt(q).putInt(0).putLong(gpaToUva(desc)).putLong(gpaToUva(used)).putLong(gpaToUva(avail)).putLong(0);
        send(SET_VRING_ADDR, 0, a.array());
        send(SET_VRING_BASE, 0, pair(q, 0));
        if (kick[q] == 0) {
            kick[q] = Native.eventfd();
            call[q] = Native.eventfd();
        }
        send(SET_VRING_CALL, 0, u64(q), call[q]);
        send(SET_VRING_KICK, 0, u64(q), kick[q]);
        if (acked(SET_VRING_ENABLE, pair(q, 1)) != 0) throw new IOException("enable failed");
    }

    // ---- rings ----

    MemorySegment at(long gpa, long len) { return mem.asSlice(gpa - GPA, len); }

    /** Writes descriptor {@code i} of queue q's table. */
    void desc(int q, int i, long addr, int len, int flags, int next) {
        MemorySegment d = at(ringGpa(q) + 16L * i, 16);
        d.set(U64, 0, addr);
        d.set(U32, 8, len);
        d.set(U16, 12, (short) flags);
        d.set(U16, 14, (short) next);
    }

    /** Publishes head on queue q's available ring and kicks. */
    void submit(int q, int head) {
        long avail = ringGpa(q) + 16 * QSIZE;
        at(avail + 4 + 2L * (availIdx[q] % QSIZE), 2).set(U16, 0, (short) head);
        availIdx[q] = (availIdx[q] + 1) & 0xffff;
        java.lang.invoke.VarHandle.fullFence();
        at(avail + 2, 2).set(U16, 0, (short) availIdx[q]);
        Native.signal(kick[q]);
    }

    int usedIdx(int q) { return at(ringGpa(q) + 0x1000 + 2, 2).get(U16, 0) & 0xffff; }

    int usedLen(int q, int slot) { return at(ringGpa(q) + 0x1000 + 4 + 8L * (slot % QSIZE) + 4, 4).get(U32, 0); }

    int usedId(int q, int slot) { return at(ringGpa(q) + 0x1000 + 4 + 8L * (slot % QSIZE), 4).get(U32, 0); }

    /** Waits (bounded) until queue q's used index reaches {@code idx}. */
    void awaitUsed(int q, int idx) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (usedIdx(q) != idx) {
            if (System.nanoTime() > deadline) throw new AssertionError("queue " + q + " used idx " + usedIdx(q) + ", expected " + idx);
            Thread.sleep(1);
        }
    }

    byte status(long gpa) { return at(gpa, 1).get(ValueLayout.JAVA_BYTE, 0); }

    /** Puts a virtio-blk header at gpa. */
    void header(long gpa, int type, long sector) {
        MemorySegment h = at(gpa, 16);
        h.set(U32, 0, type);
        h.set(U32, 4, 0);
        h.set(U64, 8, sector);
    }

    @Override
    public void close() throws IOException {
        sock.close();
        Native.munmap(memAddr, MEM);
        Native.close(memFd);
        for (int i = 0; i < 8; i++) {
            if (kick[i] > 0) Native.close(kick[i]);
            if (call[i] > 0) Native.close(call[i]);
        }
    }
}
