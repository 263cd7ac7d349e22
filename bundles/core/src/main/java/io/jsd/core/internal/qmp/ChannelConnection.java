package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A socket client as streams. Reads and writes go straight to the channel (which allows one reader
 * and one writer at once), not through {@code Channels.newInputStream}, whose blocking lock would
 * hold back events while the reader waits.
 */
final class ChannelConnection implements Connection {
    private final SocketChannel ch;
    private final InputStream in;
    private final OutputStream out;

    ChannelConnection(SocketChannel ch) {
        this.ch = ch;
        this.in = new InputStream() {
            @Override public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xff;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                return ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
        this.out = new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) ch.write(buf);
            }
        };
    }

    @Override public InputStream in() { return in; }

    @Override public OutputStream out() { return out; }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
