package io.jsd.nbd.internal;

import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * The settings of nbd-server-start.
 *
 * @param address             where to listen (null when {@code fd} is given)
 * @param unixPath            the socket file to remove on stop (null for inet and fd)
 * @param tls                 TLS credentials, or null for plain connections
 * @param maxConnections      0 for unlimited
 * @param handshakeMaxSeconds 0 for no limit
 * @param fd                  an inherited listening socket (addr.type=fd), or -1
 */
record ServerConfig(SocketAddress address, Path unixPath, TlsConfig tls, int maxConnections, int handshakeMaxSeconds,
                    int fd) {
    ServerConfig(SocketAddress address, Path unixPath, TlsConfig tls, int maxConnections, int handshakeMaxSeconds) {
        this(address, unixPath, tls, maxConnections, handshakeMaxSeconds, -1);
    }

    /**
     * QSD's default for max-connections (qemu 9.1+, CVE-2024-7409): connection 101 waits in the
     * listen backlog, not accepted, until another one ends.
     */
    static final int DEFAULT_MAX_CONNECTIONS = 100;

    /** QSD's default for handshake-max-seconds. */
    static final int DEFAULT_HANDSHAKE_MAX_SECONDS = 10;
}
