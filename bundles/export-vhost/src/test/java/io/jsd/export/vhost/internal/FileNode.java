package io.jsd.export.vhost.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.IoFlags;

/** A temp-file BlockNode stub standing in for core's normalised node (bounds checked here too). */
final class FileNode implements BlockNode {
    final FileChannel ch;
    final long size;
    /** When set, reads and writes wait for it (to keep requests in flight). */
    volatile CountDownLatch gate;
    volatile int flushes;

    FileNode(Path file, long size) throws IOException {
        this.ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        this.size = size;
        ch.truncate(size);
        ch.write(ByteBuffer.allocate(1), size - 1);
    }

    /** An existing image, as it is. */
    FileNode(Path file) throws IOException {
        this.ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.size = ch.size();
    }

    private void check(long off, long len) throws BlockException {
        if (off < 0 || len < 0 || off + len > size) throw BlockException.invalid("out of range " + off + "+" + len);
        CountDownLatch g = gate;
        if (g != null) {
            try {
                if (!g.await(10, TimeUnit.SECONDS)) throw BlockException.io("gate timeout", null);
            } catch (InterruptedException e) {
                throw BlockException.io("interrupted", e);
            }
        }
    }

    @Override public long size() { return size; }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        check(offset, dst.remaining());
        try {
            long pos = offset;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) break;
                pos += n;
            }
        } catch (IOException e) {
            throw BlockException.io("read", e);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        check(offset, src.remaining());
        try {
            long pos = offset;
            while (src.hasRemaining()) pos += ch.write(src, pos);
            if (IoFlags.has(flags, IoFlags.FUA)) flush();
        } catch (IOException e) {
            throw BlockException.io("write", e);
        }
    }

    @Override
    public void writeZeroes(long offset, long length, int flags) throws BlockException {
        write(offset, ByteBuffer.allocate((int) length), flags);
    }

    @Override
    public void discard(long offset, long length) throws BlockException { check(offset, length); }

    @Override
    public void flush() throws BlockException {
        flushes++;
        try {
            ch.force(false);
        } catch (IOException e) {
            throw BlockException.io("flush", e);
        }
    }

    @Override
    public Capabilities capabilities() { return Capabilities.BASIC; }
}
