package io.jsd.nbd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** The socket itself, in blocking mode (virtual threads park instead of blocking a carrier). */
final class PlainWire implements Wire {
    private final SocketChannel ch;

    PlainWire(SocketChannel ch) { this.ch = ch; }

    SocketChannel channel() { return ch; }

    @Override
    public int read(ByteBuffer dst) throws IOException { return ch.read(dst); }

    @Override
    public void write(ByteBuffer[] srcs, int off, int len) throws IOException {
        int end = off + len;
        while (off < end) {
            ch.write(srcs, off, end - off);
            while (off < end && !srcs[off].hasRemaining()) off++;
        }
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) ch.write(src);
    }

    @Override
    public void shutdown() { Wire.shutdown(ch); }

    @Override
    public void close() throws IOException { ch.close(); }
}
