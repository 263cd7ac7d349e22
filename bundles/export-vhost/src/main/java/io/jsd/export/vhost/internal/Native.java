package io.jsd.export.vhost.internal;

import java.io.IOException;

import jnr.ffi.LibraryLoader;

/** Checked wrappers around {@link LibC}: every failure becomes an IOException naming errno. */
public final class Native {
    private Native() {}

    static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    static final int MFD_CLOEXEC = 1;
    static final int POLLIN = 1, POLLNVAL = 0x20;
    private static final int EINTR = 4, EAGAIN = 11;
    /** st_size in struct stat: offset 48 on both x86_64 and aarch64. */
    private static final int STAT_SIZE_OFFSET = 48, STAT_BUF = 256;

    private static volatile LibC libc;
    private static volatile jnr.ffi.Runtime runtime;

    static LibC libc() {
        LibC l = libc;
        if (l == null) {
            synchronized (Native.class) {
                if (libc == null) {
                    LibC loaded = LibraryLoader.create(LibC.class).load("c");
                    runtime = jnr.ffi.Runtime.getRuntime(loaded);
                    libc = loaded;
                }
                l = libc;
            }
        }
        return l;
    }

    static int errno() { return runtime.getLastError(); }

    private static IOException fail(String what) {
        return new IOException(what + " failed: errno " + errno());
    }

    /** Maps {@code length} bytes of {@code fd} from {@code offset} (page aligned) read-write shared. */
    public static long mmap(int fd, long length, long offset) throws IOException {
        long addr = libc().mmap(0, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
        if (addr == -1 || addr == 0) throw fail("mmap");
        return addr;
    }

    public static void munmap(long addr, long length) {
        libc().munmap(addr, length);
    }

    public static long fileSize(int fd) throws IOException {
        byte[] st = new byte[STAT_BUF];
        if (libc().fstat(fd, st) != 0) throw fail("fstat");
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (st[STAT_SIZE_OFFSET + i] & 0xff);
        return v;
    }

    public static void close(int fd) {
        if (fd >= 0) libc().close(fd);
    }

    public static int eventfd() throws IOException {
        int fd = libc().eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) throw fail("eventfd");
        return fd;
    }

    public static int memfd(String name, long size) throws IOException {
        int fd = libc().memfd_create(name, MFD_CLOEXEC);
        if (fd < 0) throw fail("memfd_create");
        if (libc().ftruncate(fd, size) != 0) {
            IOException e = fail("ftruncate");
            close(fd);
            throw e;
        }
        return fd;
    }

    /** Adds one to an eventfd counter. */
    public static void signal(int fd) {
        byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
        libc().write(fd, one, 8);
    }

    /** Reads (and so resets) an eventfd counter without blocking; false when it was zero. */
    public static boolean drain(int fd) {
        byte[] buf = new byte[8];
        return libc().read(fd, buf, 8) == 8;
    }

    /**
     * Blocks (on a platform thread: this pins) until one of {@code fds} is readable.
     * Returns a bit mask of the readable ones (bit i for fds[i]).
     */
    public static int waitReadable(int... fds) throws IOException {
        int[] pfd = new int[fds.length * 2];
        for (int i = 0; i < fds.length; i++) {
            pfd[2 * i] = fds[i];
            pfd[2 * i + 1] = POLLIN;
        }
        while (true) {
            int n = libc().poll(pfd, fds.length, -1);
            if (n < 0) {
                int e = errno();
                if (e == EINTR || e == EAGAIN) continue;
                throw new IOException("poll failed: errno " + e);
            }
            int mask = 0;
            for (int i = 0; i < fds.length; i++) {
                int revents = pfd[2 * i + 1] >>> 16;
                if ((revents & POLLNVAL) != 0) throw new IOException("poll: fd " + fds[i] + " is not open");
                if (revents != 0) mask |= 1 << i;
            }
            if (mask != 0) return mask;
        }
    }
}
