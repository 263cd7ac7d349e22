package io.jsd.nbd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.IoFlags;
import io.jsd.block.Support;

/** A plain file as a node (positional reads and writes), for the stand-alone benchmark server. */
final class FileNode implements BlockNode {
    private final FileChannel ch;

    FileNode(Path file) throws IOException {
        ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Override
    public long size() throws BlockException {
        try {
            return ch.size();
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        try {
            while (dst.hasRemaining()) {
                int n = ch.read(dst, offset);
                if (n < 0) {
                    while (dst.hasRemaining()) dst.put((byte) 0);
                    return;
                }
                offset += n;
            }
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, int flags) throws BlockException {
        try {
            while (src.hasRemaining()) offset += ch.write(src, offset);
            if (IoFlags.has(flags, IoFlags.FUA)) ch.force(false);
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws BlockException {
        try {
            ch.force(false);
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, Support.NONE, Support.NATIVE, false, true, false, false, true);
    }

    @Override
    public void close() throws BlockException {
        try {
            ch.close();
        } catch (IOException e) {
            throw BlockException.io(e.getMessage(), e);
        }
    }
}
