package io.jsd.qcow2.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;

/** Test stand-in for the file driver: a FileChannel with core's bounds checks. */
final class FileNode implements BlockNode {
    final Path path;
    private final FileChannel ch;
    private final boolean readOnly;

    FileNode(Path path, boolean readOnly) throws IOException {
        this.path = path;
        this.readOnly = readOnly;
        this.ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Override
    public long size() throws BlockException {
        try {
            return ch.size();
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    private void check(long off, long len) throws BlockException {
        if (off < 0 || len < 0 || off + len > size()) {
            throw new BlockException(BlockException.Kind.OUT_OF_RANGE, "out of range: " + off + "+" + len + " > " + size() + " " + path);
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        check(offset, dst.remaining());
        try {
            long pos = offset;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) throw BlockException.io("EOF", null);
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
