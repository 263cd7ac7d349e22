package io.jsd.core.internal.qmp;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/** One client of a character device: a byte stream in each direction. */
interface Connection extends Closeable {
    InputStream in();

    OutputStream out();

    /** Closes the connection (for stdio: only marks it closed). */
    @Override
    void close();
}
