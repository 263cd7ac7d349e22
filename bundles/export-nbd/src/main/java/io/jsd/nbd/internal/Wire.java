package io.jsd.nbd.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connection's byte stream: the plain socket, or TLS on top of it after NBD_OPT_STARTTLS.
 * One thread reads while others write (under the connection's reply lock); implementations allow
 * exactly that much concurrency.
 */
interface Wire extends Closeable {
    /** Reads some bytes into {@code dst}; -1 at end of stream. Blocks until at least one byte. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes every remaining byte of {@code srcs[off, off+len)}. */
    void write(ByteBuffer[] srcs, int off, int len) throws IOException;

    default void write(ByteBuffer src) throws IOException {
        write(new ByteBuffer[] {src}, 0, 1);
    }

    /** Ends the stream without waiting (a hard disconnect); a blocked reader wakes up with EOF or an error. */
    void shutdown();

    /** Shuts both directions of {@code ch}, ignoring a channel that is already closed or not connected. */
    static void shutdown(java.nio.channels.SocketChannel ch) {
        try {
            ch.shutdownInput();
        } catch (IOException | RuntimeException ignored) {
            // already closed or not connected: nothing left to stop
        }
        try {
            ch.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // same
        }
    }

    /** True for a TLS wire. */
    default boolean secure() { return false; }
}
