package io.jsd.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.IoFlags;

/**
 * A plain file as a node (positional FileChannel I/O), for tests that need real bytes on disk but
 * not the file driver (no locking, no O_DIRECT, no aio). Requests are bounds-checked here as core
 * would, so a format driver that reaches past its image file fails loudly instead of reading
 * zeroes. It advertises {@link Capabilities#BASIC} (FUA, if it arrives anyway, is a flush).
 */
public final class FileNode implements BlockNode {
    private final Path path;
    private final FileChannel ch;
    private final boolean readOnly;

    /** An existing file, as it is. */
    public FileNode(Path path, boolean readOnly) throws IOException {
        this.path = path;
        this.readOnly = readOnly;
        this.ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** An existing file, writable. */
    public FileNode(Path path) throws IOException { this(path, false); }

    /** Creates (or resizes) {@code path} to {@code size} bytes, sparse, and opens it writable. */
    public static FileNode create(Path path, long size) throws IOException {
        try (FileChannel c = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            c.truncate(size);
            if (size > 0 && c.size() < size) c.write(ByteBuffer.allocate(1), size - 1);
        }
        return new FileNode(path, false);
    }

    public Path path() { return path; }

    @Override
    public long size() throws BlockException {
        try {
            return ch.size();
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    private void check(long off, long len) throws BlockException {
        long size = size();
        if (off < 0 || len < 0 || off + len > size) {
            throw new BlockException(BlockException.Kind.OUT_OF_RANGE, "out of range: " + off + "+" + len + " > " + size + " " + path);
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        check(offset, dst.remaining());
        try {
            long pos = offset;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) throw BlockException.io("unexpected end of file " + path + " at " + pos, null);
                pos += n;
            }
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        if (readOnly) throw new BlockException(BlockException.Kind.READ_ONLY, "read-only");
        check(offset, src.remaining());
        try {
            long pos = offset;
            while (src.hasRemaining()) pos += ch.write(src, pos);
            if (IoFlags.has(flags, IoFlags.FUA)) ch.force(false);
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws BlockException {
        try {
            if (!readOnly) ch.force(false);
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public void truncate(long newSize) throws BlockException {
        if (readOnly) throw new BlockException(BlockException.Kind.READ_ONLY, "read-only");
        try {
            if (newSize < ch.size()) ch.truncate(newSize);
            else if (newSize > ch.size()) ch.write(ByteBuffer.allocate(1), newSize - 1);
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public Capabilities capabilities() { return Capabilities.BASIC.withWrite(!readOnly); }

    @Override
    public void close() throws BlockException {
        try {
            ch.close();
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }
}
