package io.jsd.nbd.internal;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;

import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * addr.type=fd: a listening unix socket handed to the daemon as an inherited file descriptor
 * (QSD's "Listening sockets may be passed in as fds"). The JDK cannot adopt a raw fd, so this goes
 * through junixsocket, whose channels are ordinary {@link ServerSocketChannel}s. Kept in its own
 * class so the bundle resolves without junixsocket when fds are not used.
 */
final class FdListener {
    private FdListener() {}

    static ServerSocketChannel open(int fd) throws IOException {
        FileDescriptorCast cast = FileDescriptorCast.unsafeUsing(fd);
        if (!cast.isAvailable(AFUNIXServerSocket.class)) {
            throw new IOException("file descriptor " + fd + " is not a listening unix socket");
        }
        ServerSocketChannel ch = cast.as(AFUNIXServerSocket.class).getChannel();
        ch.configureBlocking(true);
        return ch;
    }
}
