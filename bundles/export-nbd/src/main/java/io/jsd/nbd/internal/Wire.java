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

    /** True for a TLS wire. */
    default boolean secure() { return false; }
}
