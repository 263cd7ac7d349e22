package io.jsd.driver.file.internal;

import io.jsd.block.BlockException;
import io.jsd.block.OpenContext;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import io.jsd.linux.ErrnoException;

/** Opens a {@link FileNode} for the file and host_device drivers: options, descriptors, locks. */
final class FileOpener {
    private FileOpener() {}

    static FileNode open(String driver, OpenContext ctx) throws BlockException {
        Options o = ctx.options();
        String filename = o.string("filename");
        String aio = o.choice("aio", "threads", "threads", "native", "io_uring");
        o.optInteger("aio-max-batch");
        o.bool("drop-cache", true);
        o.optString("pr-manager");
        o.bool("x-check-cache-dropped", false);
        String locking = o.choice("locking", "auto", "on", "off", "auto");
        if (aio.equals("native") && !ctx.cacheDirect()) {
            throw new OptionException("aio=native was specified, but it requires cache.direct=on, which was not specified.");
        }
        boolean ro = ctx.readOnly();
        int fd;
        try {
            fd = openFd(filename, ro);
        } catch (ErrnoException e) {
            boolean denied = e.errno == Posix.EACCES || e.errno == Posix.EROFS || e.errno == Posix.EPERM;
            if (ro || !ctx.autoReadOnly() || !denied) throw couldNotOpen(filename, e);
            ro = true; // auto-read-only: fall back to reading
            try {
                fd = openFd(filename, true);
            } catch (ErrnoException e2) {
                throw couldNotOpen(filename, e2);
            }
        }
        FileChannel ch = null, buffered = null;
        try {
            long mode = Posix.fstat(fd)[0];
            boolean device = Posix.isBlockDevice(mode) || Posix.isCharDevice(mode);
            boolean hostDevice = driver.equals("host_device");
            // qemu's raw_open_common; checked before any channel opens the path, which would block on a FIFO
            if (hostDevice && !device) {
                throw BlockException.invalid("'host_device' driver requires '" + filename + "' to be either a character or block device");
            }
            if (!hostDevice && !Posix.isRegularFile(mode)) {
                throw BlockException.invalid("'file' driver requires '" + filename + "' to be a regular file");
            }
            // no lock bytes yet: a node without users holds nothing (core hands it its permissions)
            boolean useLock = locking.equals("on") || locking.equals("auto") && ImageLock.ofdLocksWork(fd);
            ImageLock lock = useLock ? new ImageLock(fd, filename) : null;
            Path path = Path.of(filename);
            Set<OpenOption> opts = new HashSet<>();
            opts.add(StandardOpenOption.READ);
            if (!ro) opts.add(StandardOpenOption.WRITE);
            int align = 1;
            if (ctx.cacheDirect()) {
                buffered = FileChannel.open(path, opts);
                opts.add(directOption());
                align = (int) Math.max(512, Files.getFileStore(path).getBlockSize());
            }
            ch = FileChannel.open(path, opts);
            return new FileNode(driver, filename, Posix.isBlockDevice(mode), ro, fd, ch, buffered, align, lock);
        } catch (BlockException | RuntimeException e) {
            closeAll(fd, ch, buffered);
            throw e;
        } catch (ErrnoException e) {
            closeAll(fd, ch, buffered);
            throw couldNotOpen(filename, e);
        } catch (IOException e) {
            closeAll(fd, ch, buffered);
            throw new BlockException(BlockException.Kind.IO, "Could not open '" + filename + "': " + e.getMessage(), e);
        }
    }

    private static int openFd(String filename, boolean ro) throws ErrnoException {
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused right after);
        // it changes nothing for regular files and devices, and data moves through FileChannels
        return Posix.open(filename, (ro ? Posix.O_RDONLY : Posix.O_RDWR) | Posix.O_CLOEXEC | Posix.O_NONBLOCK, 0);
    }

    static BlockException couldNotOpen(String filename, ErrnoException e) {
        BlockException.Kind kind = switch (e.errno) {
            case Posix.ENOENT -> BlockException.Kind.NOT_FOUND;
            case Posix.EACCES, Posix.EPERM -> BlockException.Kind.PERMISSION;
            case Posix.EROFS -> BlockException.Kind.READ_ONLY;
            default -> BlockException.Kind.IO;
        };
        return new BlockException(kind, "Could not open '" + filename + "': " + e.getMessage(), e);
    }

    private static void closeAll(int fd, FileChannel a, FileChannel b) {
        for (FileChannel c : new FileChannel[] {a, b}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (IOException e) {
                // already failing
            }
        }
        Posix.close(fd);
    }

    /**
     * com.sun.nio.file.ExtendedOpenOption.DIRECT, loaded through the platform class loader: the
     * jdk.unsupported package is not something an OSGi framework exports to bundles by default.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static OpenOption directOption() {
        try {
            Class c = ClassLoader.getPlatformClassLoader().loadClass("com.sun.nio.file.ExtendedOpenOption");
            return (OpenOption) Enum.valueOf(c, "DIRECT");
        } catch (ClassNotFoundException e) {
            throw new UnsupportedOperationException("this JDK cannot open files with O_DIRECT", e);
        }
    }
}
