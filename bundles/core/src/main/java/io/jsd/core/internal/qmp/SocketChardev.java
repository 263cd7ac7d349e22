package io.jsd.core.internal.qmp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

import io.jsd.options.OptionException;
import io.jsd.options.SocketAddressOption;

/**
 * --chardev socket: a unix or TCP socket address (path=, or host= and port=), listening (server=on) or connecting.
 * A server serves one client at a time; the next waits in the backlog, as with qemu. With wait=on
 * (qemu's default for servers) the constructor blocks until the first client connects.
 */
final class SocketChardev implements Chardev {
    private final String id;
    private final boolean server;
    private final Path path;
    private final String description;
    private final boolean nodelay;
    private ServerSocketChannel listener;
    private SocketChannel first;
    private volatile SocketChannel current;
    private volatile boolean attached;
    private volatile boolean closed;

    SocketChardev(String id, SocketChardevOptions o) throws IOException {
        this.id = id;
        this.server = o.server();
        SocketAddressOption a = o.addr();
        this.path = a.type().equals("unix") ? Path.of(a.path()) : null;
        this.nodelay = o.nodelay() && path == null;
        String host = a.host();
        int port = path == null ? Integer.parseInt(a.port()) : 0;
        if (server) {
            if (path != null) {
                removeStaleSocket(path);
                listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                listener.bind(UnixDomainSocketAddress.of(path), 16);
            } else {
                listener = bindTcp(host, port, a.to() == null ? 0 : a.to().intValue());
            }
            this.description = path != null ? "unix:" + path + ",server=on"
                    : "tcp:" + host + ":" + ((InetSocketAddress) listener.getLocalAddress()).getPort() + ",server=on";
            if (o.waitForClient()) {
                System.err.println("QEMU waiting for connection on: disconnected:" + description);
                first = configure(listener.accept());
            }
        } else {
            SocketAddress addr = path != null ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(host, port);
            this.description = path != null ? "unix:" + path : "tcp:" + host + ":" + port;
            try {
                first = configure(SocketChannel.open(addr));
            } catch (IOException e) {
                throw new OptionException("Failed to connect to '" + (path != null ? path : host + ":" + port) + "': " + e.getMessage());
            }
        }
    }

    /** Binds {@code port}, or with to= the first free port of port..to, as qemu's inet_listen does. */
    private static ServerSocketChannel bindTcp(String host, int port, int to) throws IOException {
        int last = to > port ? to : port;
        for (int p = port; ; p++) {
            ServerSocketChannel l = ServerSocketChannel.open();
            try {
                l.socket().setReuseAddress(true);
                l.bind(new InetSocketAddress(host, p), 16);
                return l;
            } catch (IOException e) {
                l.close();
                if (p >= last) throw e;
            }
        }
    }

    private SocketChannel configure(SocketChannel c) throws IOException {
        if (nodelay) c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return c;
    }

    /** qemu unlinks an existing socket file before binding; a regular file is left alone (bind fails). */
    private static void removeStaleSocket(Path p) throws IOException {
        if (Files.exists(p) && Files.readAttributes(p, BasicFileAttributes.class).isOther()) Files.delete(p);
    }

    @Override public String id() { return id; }

    @Override
    public String filename() {
        return current == null && server ? "disconnected:" + description : description;
    }

    @Override public boolean frontendOpen() { return attached; }

    @Override
    public void attach(Consumer<Connection> session) {
        attached = true;
        Thread.ofVirtual().name("qmp-chardev-" + id).start(() -> serve(session));
    }

    private void serve(Consumer<Connection> session) {
        SocketChannel next = first;
        first = null;
        while (!closed) {
            try {
                if (next == null) {
                    if (!server) return;
                    next = configure(listener.accept());
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            current = next;
            try (ChannelConnection c = new ChannelConnection(next)) {
                session.accept(c);
            } catch (RuntimeException | Error e) {
                // A client's session failing must not stop the monitor from serving the next one.
                System.err.println("jsd: QMP session on chardev '" + id + "' ended: " + e);
            } finally {
                current = null;
                next = null;
            }
            if (!server) return;
        }
    }

    /** The port a TCP server listens on (port=0 picks one). */
    int localPort() throws IOException {
        return listener == null ? -1 : ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    @Override
    public void close() {
        closed = true;
        attached = false;
        try {
            if (listener != null) listener.close();
            SocketChannel c = current;
            if (c != null) c.close();
            if (first != null) first.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        if (server && path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // Left behind; the next bind removes it.
            }
        }
    }
}
