package io.jsd.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
 * libc through the JDK's foreign function API (no native library to ship). {@link #downcall}
 * makes a handle whose first argument is the errno capture segment: pass {@link #errnoState()}
 * and read {@link #errno(MemorySegment)} after a failed call. Linux x86_64 / aarch64 (LP64).
 *
 * <p>The capture segment is per thread and freed with it (an automatic arena), so virtual threads,
 * which come and go per request, do not leak native memory.
 */
public final class Libc {
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, ENXIO = 6, EAGAIN = 11, EACCES = 13, EINVAL = 22,
            ENOSPC = 28, EROFS = 30, ENOSYS = 38, EOPNOTSUPP = 95, ENOTSUP = 95;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle STRERROR =
            LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FSTAT = downcall("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** struct stat: 144 bytes on x86_64, 128 on aarch64; st_size and st_blocks at 48 and 64 on both. */
    private static final long STAT_BUF = 256, STAT_MODE_X86 = 24, STAT_MODE_ARM = 16, STAT_SIZE = 48, STAT_BLOCKS = 64;
    private static final boolean AARCH64 = System.getProperty("os.arch").contains("aarch64");

    private Libc() {}

    /** A libc function whose handle takes the errno capture segment first, then {@code fd}'s arguments. */
    public static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, Linker.Option.captureCallState("errno"));
    }

    /** As {@link #downcall(String, FunctionDescriptor)}, for a variadic function (fcntl, ioctl, open). */
    public static MethodHandle downcall(String name, FunctionDescriptor fd, int firstVariadicArg) {
        return LINKER.downcallHandle(symbol(name), fd, Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(firstVariadicArg));
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
    }

    /** This thread's errno capture segment. */
    public static MemorySegment errnoState() { return STATE.get(); }

    /** The errno a call captured into {@code state}. */
    public static int errno(MemorySegment state) { return (int) ERRNO.get(state, 0L); }

    /** The errno of this thread's last call through a {@link #downcall} handle given {@link #errnoState()}. */
    public static int errno() { return errno(errnoState()); }

    /** The C library's text for {@code errno}. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** A Throwable from invokeExact that is not an errno: rethrown unchecked. */
    public static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** Closes {@code fd} (best effort: errors are ignored, a negative fd is skipped). */
    public static void close(int fd) {
        if (fd < 0) return;
        try {
            int r = (int) CLOSE.invokeExact(errnoState(), fd);
        } catch (Throwable t) {
            // closing is best effort
        }
    }

    public static void ftruncate(int fd, long length) throws ErrnoException {
        MemorySegment st = errnoState();
        int r;
        try {
            r = (int) FTRUNCATE.invokeExact(st, fd, length);
        } catch (Throwable t) {
            throw unchecked(t);
        }
        if (r < 0) throw new ErrnoException(errno(st));
    }

    public static Stat fstat(int fd) throws ErrnoException {
        MemorySegment st = errnoState();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STAT_BUF, 8);
            int r;
            try {
                r = (int) FSTAT.invokeExact(st, fd, buf);
            } catch (Throwable t) {
                throw unchecked(t);
            }
            if (r < 0) throw new ErrnoException(errno(st));
            return new Stat(buf.get(JAVA_INT, AARCH64 ? STAT_MODE_ARM : STAT_MODE_X86), buf.get(JAVA_LONG, STAT_SIZE), buf.get(JAVA_LONG, STAT_BLOCKS));
        }
    }
}
