package io.jsd.driver.file.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux calls FileChannel does not offer (fallocate, SEEK_DATA/SEEK_HOLE, OFD locks,
 * BLKGETSIZE64, st_blocks, ftruncate to grow), through the JDK's own foreign function API so the
 * bundle needs no native library. Each call returns the result or throws {@link PosixException}
 * carrying errno. x86_64 / aarch64 Linux layouts.
 */
final class Posix {
    static final int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0100, O_CLOEXEC = 02000000;
    static final int SEEK_SET = 0, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
    static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_ZERO_RANGE = 0x10;
    static final int F_OFD_GETLK = 36, F_OFD_SETLK = 37;
    static final short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    static final int ENOENT = 2, EINTR = 4, EACCES = 13, EINVAL = 22, EROFS = 30, ENXIO = 6, EPERM = 1,
            EOPNOTSUPP = 95, ENOTSUP = 95, ENOSYS = 38;
    private static final long BLKGETSIZE64 = 0x80081272L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle FALLOCATE =
            fn("fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle FTRUNCATE = fn("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle LSEEK = fn("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);
    private static final MethodHandle IOCTL = fn("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle FSTAT = fn("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle STRERROR =
            LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** struct flock: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid. */
    private static final StructLayout FLOCK = MemoryLayout.structLayout(JAVA_SHORT.withName("type"),
            JAVA_SHORT.withName("whence"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("start"),
            JAVA_LONG.withName("len"), JAVA_INT.withName("pid"), MemoryLayout.paddingLayout(4));
    private static final long STAT_SIZE = 256, STAT_MODE_X86 = 24, STAT_MODE_ARM = 16, STAT_BLOCKS = 64;
    private static final boolean X86 = System.getProperty("os.arch").contains("64") && !System.getProperty("os.arch").contains("aarch");

    private Posix() {}

    private static MethodHandle fn(String name, FunctionDescriptor fd, int firstVariadic) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
        return firstVariadic < 0
                ? LINKER.downcallHandle(sym, fd, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(sym, fd, Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** An errno from a failed call, with the C library's text for it. */
    static final class PosixException extends Exception {
        private static final long serialVersionUID = 1L;
        final int errno;

        PosixException(int errno) {
            super(strerror(errno));
            this.errno = errno;
        }
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static int errno(MemorySegment cap) { return (int) ERRNO.get(cap, 0L); }

    static int open(String path, int flags, int mode) throws PosixException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment p = a.allocateFrom(path);
            int fd;
            do {
                fd = (int) OPEN.invokeExact(cap, p, flags, mode);
            } while (fd < 0 && errno(cap) == EINTR);
            if (fd < 0) throw new PosixException(errno(cap));
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) CLOSE.invokeExact(a.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            // closing is best effort
        }
    }

    static void fallocate(int fd, int mode, long off, long len) throws PosixException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int r;
            do {
                r = (int) FALLOCATE.invokeExact(cap, fd, mode, off, len);
            } while (r < 0 && errno(cap) == EINTR);
            if (r < 0) throw new PosixException(errno(cap));
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void ftruncate(int fd, long len) throws PosixException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int r = (int) FTRUNCATE.invokeExact(cap, fd, len);
            if (r < 0) throw new PosixException(errno(cap));
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long lseek(int fd, long off, int whence) throws PosixException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            long r = (long) LSEEK.invokeExact(cap, fd, off, whence);
            if (r < 0) throw new PosixException(errno(cap));
            return r;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** F_OFD_SETLK of one byte: {@code type} F_RDLCK, F_WRLCK or F_UNLCK. */
    static void ofdLock(int fd, long start, short type) throws PosixException {
        fcntlLock(fd, F_OFD_SETLK, start, type);
    }

    /** F_OFD_GETLK: true when another open file description holds a lock that conflicts with {@code type} on the byte. */
    static boolean ofdConflicts(int fd, long start, short type) throws PosixException {
        return fcntlLock(fd, F_OFD_GETLK, start, type) != F_UNLCK;
    }

    private static short fcntlLock(int fd, int cmd, long start, short type) throws PosixException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment fl = a.allocate(FLOCK);
            fl.set(JAVA_SHORT, 0, type);
            fl.set(JAVA_SHORT, 2, (short) SEEK_SET);
            fl.set(JAVA_LONG, 8, start);
            fl.set(JAVA_LONG, 16, 1);
            fl.set(JAVA_INT, 24, 0); // OFD locks require l_pid == 0
            int r;
            do {
                r = (int) FCNTL.invokeExact(cap, fd, cmd, fl);
            } while (r < 0 && errno(cap) == EINTR);
            if (r < 0) throw new PosixException(errno(cap));
            return fl.get(JAVA_SHORT, 0);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The size of a block device (BLKGETSIZE64). */
    static long blockDeviceSize(int fd) throws PosixException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment out = a.allocate(JAVA_LONG);
            int r = (int) IOCTL.invokeExact(cap, fd, BLKGETSIZE64, out);
            if (r < 0) throw new PosixException(errno(cap));
            return out.get(JAVA_LONG, 0);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** st_mode and st_blocks (512-byte units) of an open file. */
    static long[] fstat(int fd) throws PosixException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment st = a.allocate(STAT_SIZE, 8);
            int r = (int) FSTAT.invokeExact(cap, fd, st);
            if (r < 0) throw new PosixException(errno(cap));
            int mode = st.get(JAVA_INT, X86 ? STAT_MODE_X86 : STAT_MODE_ARM);
            return new long[] {mode, st.get(JAVA_LONG, STAT_BLOCKS)};
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static boolean isBlockDevice(long mode) { return (mode & 0170000) == 0060000; }

    static boolean isCharDevice(long mode) { return (mode & 0170000) == 0020000; }
}
