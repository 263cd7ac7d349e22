package io.jsd.driver.file.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import io.jsd.linux.ErrnoException;
import io.jsd.linux.Libc;

/**
 * The few Linux calls FileChannel does not offer (fallocate, SEEK_DATA/SEEK_HOLE, OFD locks,
 * BLKGETSIZE64, st_blocks, ftruncate to grow), through io.jsd.linux's {@link Libc} (the JDK's
 * foreign function API, errno captured) so the bundle needs no native library. Each call returns
 * the result or throws {@link ErrnoException} carrying errno. x86_64 / aarch64 Linux layouts.
 */
final class Posix {
    static final int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0100, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    static final int SEEK_SET = 0, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
    static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_ZERO_RANGE = 0x10;
    static final int F_OFD_GETLK = 36, F_OFD_SETLK = 37;
    static final short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    static final int ENOENT = Libc.ENOENT, EINTR = Libc.EINTR, EACCES = Libc.EACCES, EINVAL = Libc.EINVAL,
            EROFS = Libc.EROFS, ENXIO = Libc.ENXIO, EPERM = Libc.EPERM, EOPNOTSUPP = Libc.EOPNOTSUPP,
            ENOTSUP = Libc.ENOTSUP, ENOSYS = Libc.ENOSYS, EAGAIN = Libc.EAGAIN;
    private static final long BLKGETSIZE64 = 0x80081272L;

    private static final MethodHandle OPEN = Libc.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle FALLOCATE =
            Libc.downcall("fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle LSEEK = Libc.downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FCNTL = Libc.downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);
    private static final MethodHandle IOCTL = Libc.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);

    /** struct flock: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid. */
    private static final StructLayout FLOCK = MemoryLayout.structLayout(JAVA_SHORT.withName("type"),
            JAVA_SHORT.withName("whence"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("start"),
            JAVA_LONG.withName("len"), JAVA_INT.withName("pid"), MemoryLayout.paddingLayout(4));

    private Posix() {}

    static int open(String path, int flags, int mode) throws ErrnoException {
        MemorySegment cap = Libc.errnoState();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            int fd;
            do {
                fd = (int) OPEN.invokeExact(cap, p, flags, mode);
            } while (fd < 0 && Libc.errno(cap) == EINTR);
            if (fd < 0) throw new ErrnoException(Libc.errno(cap));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) { Libc.close(fd); }

    static void fallocate(int fd, int mode, long off, long len) throws ErrnoException {
        MemorySegment cap = Libc.errnoState();
        try {
            int r;
            do {
                r = (int) FALLOCATE.invokeExact(cap, fd, mode, off, len);
            } while (r < 0 && Libc.errno(cap) == EINTR);
            if (r < 0) throw new ErrnoException(Libc.errno(cap));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void ftruncate(int fd, long len) throws ErrnoException { Libc.ftruncate(fd, len); }

    static long lseek(int fd, long off, int whence) throws ErrnoException {
        MemorySegment cap = Libc.errnoState();
        try {
            long r = (long) LSEEK.invokeExact(cap, fd, off, whence);
            if (r < 0) throw new ErrnoException(Libc.errno(cap));
            return r;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** F_OFD_SETLK of one byte: {@code type} F_RDLCK, F_WRLCK or F_UNLCK. */
    static void ofdLock(int fd, long start, short type) throws ErrnoException {
        fcntlLock(fd, F_OFD_SETLK, start, type);
    }

    /** F_OFD_GETLK: true when another open file description holds a lock that conflicts with {@code type} on the byte. */
    static boolean ofdConflicts(int fd, long start, short type) throws ErrnoException {
        return fcntlLock(fd, F_OFD_GETLK, start, type) != F_UNLCK;
    }

    private static short fcntlLock(int fd, int cmd, long start, short type) throws ErrnoException {
        MemorySegment cap = Libc.errnoState();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fl = a.allocate(FLOCK);
            fl.set(JAVA_SHORT, 0, type);
            fl.set(JAVA_SHORT, 2, (short) SEEK_SET);
            fl.set(JAVA_LONG, 8, start);
            fl.set(JAVA_LONG, 16, 1);
            fl.set(JAVA_INT, 24, 0); // OFD locks require l_pid == 0
            int r;
            do {
                r = (int) FCNTL.invokeExact(cap, fd, cmd, fl);
            } while (r < 0 && Libc.errno(cap) == EINTR);
            if (r < 0) throw new ErrnoException(Libc.errno(cap));
            return fl.get(JAVA_SHORT, 0);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The size of a block device (BLKGETSIZE64). */
    static long blockDeviceSize(int fd) throws ErrnoException {
        MemorySegment cap = Libc.errnoState();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            int r = (int) IOCTL.invokeExact(cap, fd, BLKGETSIZE64, out);
            if (r < 0) throw new ErrnoException(Libc.errno(cap));
            return out.get(JAVA_LONG, 0);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** st_mode and st_blocks (512-byte units) of an open file. */
    static long[] fstat(int fd) throws ErrnoException {
        io.jsd.linux.Stat st = Libc.fstat(fd);
        return new long[] {st.mode(), st.blocks()};
    }

    static boolean isBlockDevice(long mode) { return (mode & 0170000) == 0060000; }

    static boolean isCharDevice(long mode) { return (mode & 0170000) == 0020000; }

    static boolean isRegularFile(long mode) { return (mode & 0170000) == 0100000; }
}
