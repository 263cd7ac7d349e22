package io.jsd.core.internal.qmp;

import java.io.Closeable;
import java.util.function.Consumer;

/**
 * A character device backend (--chardev): a socket (server or client, unix or TCP) or stdio. A
 * monitor attaches once; the chardev then hands it its clients one after another, as qemu's socket
 * chardev serves one connection at a time.
 */
interface Chardev extends Closeable {
    String id();

    /** query-chardev's "filename", e.g. "unix:/run/qmp.sock,server=on". */
    String filename();

    /** True while a frontend (monitor) is attached. */
    boolean frontendOpen();

    /** Starts serving: {@code session} runs once per client, returning when the client is gone. */
    void attach(Consumer<Connection> session);

    @Override
    void close();
}
