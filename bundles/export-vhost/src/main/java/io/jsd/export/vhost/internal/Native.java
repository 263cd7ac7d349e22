package io.jsd.export.vhost.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.jsd.linux.ErrnoException;
import io.jsd.linux.Libc;

/**
 * The few libc calls the vhost-user back-end needs (Linux, LP64), through io.jsd.linux's
 * {@link Libc} (the JDK's foreign function API, errno captured); every failure becomes an
 * IOException naming errno. (JNR 2.3.4/jffi 1.4.3 returned EINVAL from mmap here, while the same
 * call through java.lang.foreign works.)
 */
public final class Native {
    private Native() {}

    static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    static final int MFD_CLOEXEC = 1;
    static final int POLLIN = 1, POLLNVAL = 0x20;
    private static final int EINTR = Libc.EINTR, EAGAIN = Libc.EAGAIN;

    private static final MethodHandle MMAP = Libc.downcall("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Libc.downcall("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle EVENTFD = Libc.downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = Libc.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Libc.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MEMFD = Libc.downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCNTL = Libc.downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final MethodHandle POLL = Libc.downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private static MemorySegment state() { return Libc.errnoState(); }

    static int errno() { return Libc.errno(); }

    private static IOException fail(String what) {
        return new IOException(what + " failed: errno " + errno());
    }

    private static RuntimeException wrap(Throwable t) { return Libc.unchecked(t); }

    /** Maps {@code length} bytes of {@code fd} from {@code offset} (page aligned) read-write shared. */
    public static long mmap(int fd, long length, long offset) throws IOException {
        long addr;
        try {
            addr = (long) MMAP.invokeExact(state(), 0L, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
        } catch (Throwable t) {
            throw wrap(t);
        }
        if (addr == -1 || addr == 0) throw fail("mmap");
        return addr;
    }

    public static void munmap(long addr, long length) {
        try {
            int r = (int) MUNMAP.invokeExact(state(), addr, length);
        } catch (Throwable t) {
            throw wrap(t);
        }
    }

    public static long fileSize(int fd) throws IOException {
        try {
            return Libc.fstat(fd).size();
        } catch (ErrnoException e) {
            throw new IOException("fstat failed: errno " + e.errno);
        }
    }

    public static void close(int fd) { Libc.close(fd); }

    /** A close-on-exec duplicate of {@code fd}. */
    public static int dup(int fd) throws IOException {
        int r;
        try {
            r = (int) FCNTL.invokeExact(state(), fd, F_DUPFD_CLOEXEC, 0);
        } catch (Throwable t) {
            throw wrap(t);
        }
        if (r < 0) throw fail("fcntl(F_DUPFD_CLOEXEC)");
        return r;
    }

    public static int eventfd() throws IOException {
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(state(), 0, EFD_CLOEXEC | EFD_NONBLOCK);
        } catch (Throwable t) {
            throw wrap(t);
        }
        if (fd < 0) throw fail("eventfd");
        return fd;
    }

    public static int memfd(String name, long size) throws IOException {
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) MEMFD.invokeExact(state(), a.allocateFrom(name), MFD_CLOEXEC);
            if (fd < 0) throw fail("memfd_create");
            try {
                Libc.ftruncate(fd, size);
            } catch (ErrnoException e) {
                close(fd);
                throw new IOException("ftruncate failed: errno " + e.errno);
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw wrap(t);
        }
    }

    /** Adds one to an eventfd counter. */
    public static void signal(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long r = (long) WRITE.invokeExact(state(), fd, one, 8L);
        } catch (Throwable t) {
            throw wrap(t);
        }
    }

    /** Reads (and so resets) an eventfd counter without blocking; false when it was zero. */
    public static boolean drain(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(JAVA_LONG);
            return (long) READ.invokeExact(state(), fd, buf, 8L) == 8;
        } catch (Throwable t) {
            throw wrap(t);
        }
    }

    /**
     * Blocks (on a platform thread: this pins a virtual thread's carrier) until one of {@code fds}
     * is readable. Returns a bit mask of the readable ones (bit i for fds[i]).
     */
    public static int waitReadable(int... fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8L * fds.length, 8);
            while (true) {
                for (int i = 0; i < fds.length; i++) {
                    pfd.set(JAVA_INT, 8L * i, fds[i]);
                    pfd.set(JAVA_INT, 8L * i + 4, POLLIN); // events = POLLIN, revents = 0
                }
                int n = (int) POLL.invokeExact(state(), pfd, (long) fds.length, -1);
                if (n < 0) {
                    int e = errno();
                    if (e == EINTR || e == EAGAIN) continue;
                    throw new IOException("poll failed: errno " + e);
                }
                int mask = 0;
                for (int i = 0; i < fds.length; i++) {
                    int revents = pfd.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 8L * i + 6) & 0xffff;
                    if ((revents & POLLNVAL) != 0) throw new IOException("poll: fd " + fds[i] + " is not open");
                    if (revents != 0) mask |= 1 << i;
                }
                if (mask != 0) return mask;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw wrap(t);
        }
    }
}
