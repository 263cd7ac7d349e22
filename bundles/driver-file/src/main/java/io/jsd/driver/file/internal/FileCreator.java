package io.jsd.driver.file.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import io.jsd.block.Permission;
import io.jsd.block.CreateContext;
import io.jsd.options.Options;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import io.jsd.linux.ErrnoException;

/** blockdev-create for driver "file" (qemu's raw_co_create): filename, size, preallocation. */
final class FileCreator {
    private static final int CHUNK = 1 << 20;

    private FileCreator() {}

    static void create(ObjectNode options, CreateContext ctx) throws BlockException {
        Options o = Options.of(options);
        o.markUsed("driver");
        String filename = o.string("filename");
        long size = o.size("size");
        String prealloc = o.choice("preallocation", "off", "off", "falloc", "full", "metadata");
        o.bool("nocow", false);
        o.optSize("extent-size-hint");
        o.checkAllUsed();
        if (prealloc.equals("metadata")) {
            throw BlockException.unsupported("Unsupported preallocation mode: metadata");
        }
        int fd;
        try {
            fd = Posix.open(filename, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        } catch (ErrnoException e) {
            throw new BlockException(BlockException.Kind.IO, "Could not create '" + filename + "': " + e.getMessage(), e);
        }
        try {
            // like qemu: hold write and resize while creating so nobody else uses the half-made image
            // (raw_co_create: holds write and resize, shares all but resize, the hint naming the file)
            ImageLock lock = new ImageLock(fd, filename);
            lock.check(Permission.WRITE | Permission.RESIZE, Permission.ALL & ~Permission.RESIZE);
            lock.commit(Permission.WRITE | Permission.RESIZE, Permission.ALL & ~Permission.RESIZE);
            Posix.ftruncate(fd, 0);
            switch (prealloc) {
                case "falloc" -> Posix.fallocate(fd, 0, 0, size);
                case "full" -> writeZeroes(filename, size, ctx);
                default -> Posix.ftruncate(fd, size);
            }
        } catch (ErrnoException e) {
            throw new BlockException(BlockException.Kind.IO, "Could not resize file: " + e.getMessage(), e);
        } finally {
            Posix.close(fd);
        }
    }

    private static void writeZeroes(String filename, long size, CreateContext ctx) throws BlockException {
        try (FileChannel ch = FileChannel.open(Path.of(filename), StandardOpenOption.WRITE)) {
            ByteBuffer zero = ByteBuffer.allocateDirect(CHUNK);
            for (long pos = 0; pos < size; ) {
                int n = (int) Math.min(CHUNK, size - pos);
                ByteBuffer b = zero.slice(0, n);
                while (b.hasRemaining()) pos += ch.write(b, pos);
                if (ctx != null) ctx.progress(pos, size);
            }
            ch.force(false);
        } catch (java.io.IOException e) {
            throw BlockException.io("Could not preallocate '" + filename + "': " + e.getMessage(), e);
        }
    }
}
