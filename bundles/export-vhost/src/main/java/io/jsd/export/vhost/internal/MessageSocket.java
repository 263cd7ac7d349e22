package io.jsd.export.vhost.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

import io.jsd.linux.Libc;

/**
 * The receiving side of a vhost-user socket, read with recvmsg(2) directly (Linux, LP64) so that
 * every file descriptor that arrives is known and can be closed. junixsocket's reader is not used
 * here: when more descriptors arrive than its ancillary buffer holds (MSG_CTRUNC) it fails the read
 * without returning the ones the kernel already installed, which then stay open for good. Here the
 * control buffer holds 16; the kernel drops any excess itself, the ones received are collected, and
 * a message with more than {@link VhostUser#MAX_FDS} is refused (the caller closes them all).
 * Blocks in poll(2): use a platform thread.
 */
final class MessageSocket implements AutoCloseable {
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8, MSG_DONTWAIT = 0x40, MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int CMSG_HEADER = 16;
    /**
     * Room for 16 fds, as QEMU's socket channel (SOCKET_MAX_FDS): more than MAX_FDS is refused
     * with QSD's message, which counts up to 16.
     */
    private static final int RECEIVE_FDS = 16;
    private static final int CONTROL = CMSG_HEADER + RECEIVE_FDS * 4;
    private static final MethodHandle RECVMSG = Libc.downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment data = arena.allocate(VhostUser.MAX_PAYLOAD + VhostUser.HEADER_SIZE, 8);
    private final MemorySegment control = arena.allocate(CONTROL, 8);
    private final MemorySegment iov = arena.allocate(16, 8);
    private final MemorySegment msg = arena.allocate(56, 8);

    /** Descriptors of the message being read; {@link #takeFds} hands them over. */
    private int[] fds = new int[VhostUser.MAX_FDS];
    private int nfds;

    MessageSocket(int fd) { this.fd = fd; }

    /**
     * Reads exactly {@code b.length} bytes (at most MAX_PAYLOAD + header). Returns false at a clean
     * end of stream before the first byte when {@code eofOk}; throws EOFException inside a message.
     * Descriptors that arrive are kept for {@link #takeFds}, also when this throws.
     */
    boolean readFully(byte[] b, boolean eofOk) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = recv(b.length - n);
            if (r == 0) {
                if (n == 0 && eofOk) return false;
                throw new EOFException();
            }
            MemorySegment.copy(data, JAVA_BYTE, 0, b, n, r);
            n += r;
        }
        return true;
    }

    /** The descriptors received since the last call (the caller owns and closes them). */
    int[] takeFds() {
        int[] r = Arrays.copyOf(fds, nfds);
        nfds = 0;
        return r;
    }

    private int recv(int len) throws IOException {
        while (true) {
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, len);
            msg.fill((byte) 0);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, CONTROL);
            long r;
            try {
                r = (long) RECVMSG.invokeExact(Libc.errnoState(), fd, msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            } catch (Throwable t) {
                throw Libc.unchecked(t);
            }
            if (r < 0) {
                int e = Libc.errno();
                if (e == Libc.EINTR) continue;
                if (e == Libc.EAGAIN) {
                    Native.waitReadable(fd);
                    continue;
                }
                throw new IOException("recvmsg failed: errno " + e);
            }
            collectFds();
            if (nfds > VhostUser.MAX_FDS || (msg.get(JAVA_INT, 48) & MSG_CTRUNC) != 0) {
                throw new ProtocolException("A maximum of " + VhostUser.MAX_FDS + " fds are allowed, however got "
                        + nfds + " fds now");
            }
            return (int) r;
        }
    }

    private void collectFds() {
        long controlLen = msg.get(JAVA_LONG, 40);
        long off = 0;
        while (off + CMSG_HEADER <= controlLen) {
            long cmsgLen = control.get(JAVA_LONG, off);
            if (cmsgLen < CMSG_HEADER || off + cmsgLen > controlLen) break;
            if (control.get(JAVA_INT, off + 8) == SOL_SOCKET && control.get(JAVA_INT, off + 12) == SCM_RIGHTS) {
                int count = (int) ((cmsgLen - CMSG_HEADER) / 4);
                for (int i = 0; i < count; i++) add(control.get(JAVA_INT, off + CMSG_HEADER + 4L * i));
            }
            off += (cmsgLen + 7) & ~7L;
        }
    }

    private void add(int received) {
        if (nfds == fds.length) fds = Arrays.copyOf(fds, fds.length * 2);
        fds[nfds++] = received;
    }

    /** Closes descriptors not taken and frees the buffers (not the socket). */
    @Override
    public void close() {
        for (int i = 0; i < nfds; i++) Native.close(fds[i]);
        nfds = 0;
        arena.close();
    }
}
