package io.jsd.core.internal.qmp;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/** --chardev stdio: one client, the daemon's stdin and stdout. At end of input the daemon keeps running, like QSD. */
final class StdioChardev implements Chardev {
    private final String id;
    private volatile boolean attached;

    StdioChardev(String id) { this.id = id; }

    @Override public String id() { return id; }

    @Override public String filename() { return "stdio"; }

    @Override public boolean frontendOpen() { return attached; }

    @Override
    public void attach(Consumer<Connection> session) {
        attached = true;
        InputStream in = new FileInputStream(FileDescriptor.in);
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        Thread.ofVirtual().name("qmp-stdio-" + id).start(() -> session.accept(new Connection() {
            @Override public InputStream in() { return in; }
            @Override public OutputStream out() { return out; }
            @Override public void close() { }
        }));
    }

    @Override public void close() { attached = false; }
}
