package io.jsd.driver.file.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import io.jsd.block.BlockLimits;
import io.jsd.block.BlockNode;
import io.jsd.block.BlockStatus;
import io.jsd.block.Capabilities;
import io.jsd.block.IoFlags;
import io.jsd.block.Support;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import io.jsd.linux.ErrnoException;

/**
 * An open file or block device. Data moves through a positional {@link FileChannel} (safe from
 * many virtual threads at once); a second, native descriptor serves what FileChannel cannot do:
 * fallocate, SEEK_DATA/SEEK_HOLE, the lock bytes, the device size.
 *
 * <p>With cache.direct=on the channel is O_DIRECT: buffers that are not aligned in memory go
 * through an aligned bounce buffer, and the one unaligned tail of a file whose size is not a
 * multiple of the alignment goes through a second, buffered channel.
 */
final class FileNode implements BlockNode {
    private final String driver;
    private final String filename;
    private final boolean hostDevice;
    private final boolean readOnly;
    private final int fd;
    private final FileChannel ch;
    /** Buffered twin of an O_DIRECT channel for unaligned tails, else null. */
    private final FileChannel buffered;
    private final int align;
    private final BouncePool bounces = new BouncePool();
    /** qemu's lock bytes on {@link #fd}, or null with locking=off. */
    private final ImageLock lock;
    private final FlushLatch flushLatch;
    /** fdatasync; a test replaces it to make it fail. */
    FlushLatch.Sync sync;

    FileNode(String driver, String filename, boolean hostDevice, boolean readOnly, int fd, FileChannel ch,
             FileChannel buffered, int align, ImageLock lock) {
        this.lock = lock;
        this.driver = driver;
        this.filename = filename;
        this.hostDevice = hostDevice;
        this.readOnly = readOnly;
        this.fd = fd;
        this.ch = ch;
        this.buffered = buffered;
        this.align = align;
        this.flushLatch = new FlushLatch(filename, buffered != null);
        this.sync = () -> ch.force(false);
    }

    private BlockException fail(String op, Exception e) {
        return BlockException.io(op + " failed on '" + filename + "': " + e.getMessage(), e);
    }

    @Override
    public long size() throws BlockException {
        try {
            return hostDevice ? Posix.blockDeviceSize(fd) : ch.size();
        } catch (ErrnoException e) {
            try {
                return Posix.lseek(fd, 0, Posix.SEEK_END); // a character device or similar
            } catch (ErrnoException e2) {
                throw fail("size", e2);
            }
        } catch (IOException e) {
            throw fail("size", e);
        }
    }

    private boolean directOk(ByteBuffer b) {
        return b.isDirect() && b.alignmentOffset(b.position(), align) == 0 && b.remaining() % align == 0;
    }

    private static int roundUp(int v, int align) { return (v + align - 1) & -align; }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        try {
            if (buffered == null || directOk(dst)) {
                readFully(ch, offset, dst);
            } else {
                int len = dst.remaining();
                ByteBuffer b = bounces.take(roundUp(len, align));
                try {
                    readFully(ch, offset, b);
                    dst.put(b.flip().limit(len));
                } finally {
                    bounces.release(b);
                }
            }
        } catch (IOException e) {
            throw fail("read", e);
        }
    }

    /** Fills {@code dst}; past the end of the file it reads zeroes (the file may have shrunk under us). */
    private static void readFully(FileChannel c, long pos, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = c.read(dst, pos);
            if (n < 0) {
                while (dst.hasRemaining()) dst.put((byte) 0);
                return;
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        try {
            if (buffered == null || directOk(src)) {
                writeFully(ch, offset, src);
            } else if (src.remaining() % align != 0) {
                writeFully(buffered, offset, src); // the unaligned tail at the end of the file
            } else {
                ByteBuffer b = bounces.take(src.remaining());
                try {
                    b.put(src).flip();
                    writeFully(ch, offset, b);
                } finally {
                    bounces.release(b);
                }
            }
        } catch (IOException e) {
            throw fail("write", e);
        }
    }

    private static void writeFully(FileChannel c, long pos, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) pos += c.write(src, pos);
    }

    @Override
    public void writeZeroes(long offset, long length, int flags) throws BlockException {
        try {
            if (IoFlags.has(flags, IoFlags.MAY_UNMAP)) {
                try {
                    Posix.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE | Posix.FALLOC_FL_KEEP_SIZE, offset, length);
                    return;
                } catch (ErrnoException e) {
                    if (!unsupported(e)) throw e;
                }
            }
            try {
                Posix.fallocate(fd, Posix.FALLOC_FL_ZERO_RANGE, offset, length);
            } catch (ErrnoException e) {
                if (unsupported(e)) throw BlockException.unsupported("fallocate ZERO_RANGE is not supported on '" + filename + "'");
                throw e;
            }
        } catch (ErrnoException e) {
            throw errnoException("write-zeroes", e);
        }
    }

    private static boolean unsupported(ErrnoException e) {
        return e.errno == Posix.EOPNOTSUPP || e.errno == Posix.EINVAL || e.errno == Posix.ENOSYS;
    }

    private BlockException errnoException(String op, ErrnoException e) {
        BlockException.Kind kind = e.errno == 28 ? BlockException.Kind.NO_SPACE : BlockException.Kind.IO;
        return new BlockException(kind, op + " failed on '" + filename + "': " + e.getMessage(), e);
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        try {
            Posix.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE | Posix.FALLOC_FL_KEEP_SIZE, offset, length);
        } catch (ErrnoException e) {
            if (!unsupported(e)) throw errnoException("discard", e); // discard is a hint: unsupported is fine
        }
    }

    @Override
    public void flush() throws BlockException {
        flushLatch.flush(sync);
    }

    @Override
    public void truncate(long newSize) throws BlockException {
        if (hostDevice) throw BlockException.unsupported("Cannot resize a host device");
        try {
            Posix.ftruncate(fd, newSize);
        } catch (ErrnoException e) {
            throw errnoException("truncate", e);
        }
    }

    @Override
    public BlockStatus blockStatus(long offset, long length) throws BlockException {
        if (hostDevice) return BlockStatus.data(offset, length);
        long end = offset + length;
        try {
            long data;
            try {
                data = Posix.lseek(fd, offset, Posix.SEEK_DATA);
            } catch (ErrnoException e) {
                if (e.errno == Posix.ENXIO) return hole(offset, length); // a hole up to the end of the file
                throw e;
            }
            if (data > offset) return hole(offset, Math.min(data, end) - offset);
            long hole = Posix.lseek(fd, offset, Posix.SEEK_HOLE);
            return BlockStatus.data(offset, Math.max(1, Math.min(hole, end) - offset));
        } catch (ErrnoException e) {
            return BlockStatus.data(offset, length); // no SEEK_DATA here: say "data", never a wrong "zero"
        }
    }

    private static BlockStatus hole(long offset, long length) {
        return new BlockStatus(offset, length, BlockStatus.ZERO | BlockStatus.ALLOCATED);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(!readOnly, Support.NATIVE, Support.NONE, true, true, true, !hostDevice, true);
    }

    @Override
    public BlockLimits limits() {
        BlockLimits d = BlockLimits.DEFAULT;
        int maxTransfer = buffered != null ? BouncePool.SIZE : d.maxTransfer();
        return new BlockLimits(align, Math.max(align, 4096), maxTransfer, d.maxDiscard(), d.maxWriteZeroes());
    }

    @Override
    public void describe(ObjectNode info) {
        info.put("filename", filename);
        try {
            info.put("actual-size", Posix.fstat(fd)[1] * 512);
        } catch (ErrnoException e) {
            // leave it out, as qemu does when it cannot tell
        }
        ObjectNode fs = info.putObject("format-specific");
        fs.put("type", driver);
        fs.putObject("data");
        info.put("dirty-flag", false);
    }

    @Override
    public void checkPermissions(int perm, int shared) throws BlockException {
        if (lock != null) lock.check(perm, shared);
    }

    @Override
    public void setPermissions(int perm, int shared) {
        if (lock != null) lock.commit(perm, shared);
    }

    @Override
    public void abortPermissions() {
        if (lock != null) lock.abort();
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do
        }
        if (buffered != null) {
            try {
                buffered.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
        Posix.close(fd); // also drops the lock bytes
    }
}
