package io.jsd.core.internal.qmp;

import java.net.InetAddress;
import java.nio.file.Path;

import io.jsd.options.OptionException;
import io.jsd.options.Options;

/**
 * --chardev socket options, checked in QSD's order with its messages. What QSD implements and JSD
 * does not (telnet, tn3270, websocket, mux, abstract sockets, reconnecting clients, log files,
 * inherited fds, TLS) is refused with a clear error instead of being accepted and dropped;
 * options that change nothing when off (telnet=off, tight without abstract, ...) are accepted.
 */
record SocketChardevOptions(Path path, String host, int port, int to, boolean server, boolean waitForClient, boolean nodelay) {
    static SocketChardevOptions parse(Options o) {
        String path = o.optString("path").orElse(null);
        boolean server = o.bool("server", false);
        String host = o.optString("host").orElse(null);
        String port = o.optString("port").orElse(null);
        String fd = o.optString("fd").orElse(null);
        boolean wait = o.bool("wait", true);
        boolean nodelay = o.bool("nodelay", false) || !o.bool("delay", true);
        boolean ipv4 = o.bool("ipv4", false);
        boolean ipv6 = o.bool("ipv6", false);
        String to = o.optString("to").orElse(null);
        boolean hasReconnect = o.has("reconnect");
        // QSD checks only 'reconnect' against server mode; a server ignores reconnect-ms
        long reconnect = Math.max(o.integer("reconnect", 0), server ? 0 : o.integer("reconnect-ms", 0));
        boolean tlsCreds = o.has("tls-creds");
        boolean tlsAuthz = o.has("tls-authz");
        o.optString("tls-creds");
        o.optString("tls-authz");
        o.bool("signal", true); // only stdio uses it, in qemu too
        o.bool("tight", true); // only meaningful for abstract sockets
        int given = (path != null ? 1 : 0) + (fd != null ? 1 : 0) + (host != null ? 1 : 0);
        if (given > 1) throw new OptionException("None or one of 'path', 'fd' or 'host' option required.");
        if (path == null && fd == null && host == null && port == null) throw new OptionException("Unable to parse FD number ");
        if (host != null && port == null) throw new OptionException("chardev: socket: no port given");
        if (hasReconnect && server) throw new OptionException("'reconnect' option is incompatible with socket in server listen mode");
        if (tlsAuthz && !tlsCreds) throw new OptionException("'tls_authz' option requires 'tls_creds' option");
        for (String k : new String[] {"telnet", "tn3270", "websocket", "mux", "abstract"}) unsupported(o, k, o.bool(k, false));
        unsupported(o, "reconnect", reconnect > 0);
        unsupported(o, "logfile", o.has("logfile"));
        o.bool("logappend", false);
        unsupported(o, "fd", fd != null);
        unsupported(o, "tls-creds", tlsCreds);
        int p = 0;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new OptionException("Failed to parse port '" + port + "'");
            }
        }
        int toPort = 0;
        if (to != null) {
            try {
                toPort = Integer.parseInt(to);
            } catch (NumberFormatException e) {
                throw new OptionException("Parameter 'to' expects a number");
            }
        }
        if (path == null) {
            host = host == null || host.isEmpty() ? "0.0.0.0" : host;
            familyCheck(host, port, ipv4, ipv6);
        }
        return new SocketChardevOptions(path != null ? Path.of(path) : null, host, p, toPort, server, server && wait, nodelay);
    }

    private static void unsupported(Options o, String key, boolean set) {
        if (set) throw new OptionException("chardev: socket: '" + key + "' is not supported by JSD");
    }

    /** ipv4=on / ipv6=on restrict the address family: a literal of the other family fails as in qemu. */
    private static void familyCheck(String host, String port, boolean ipv4, boolean ipv6) {
        if (ipv4 == ipv6) return;
        boolean v4Literal = host.matches("[0-9.]+");
        boolean v6Literal = host.contains(":");
        if ((ipv6 && v4Literal) || (ipv4 && v6Literal)) {
            throw new OptionException("address resolution failed for " + host + ":" + port + ": Address family for hostname not supported");
        }
        if (!v4Literal && !v6Literal) {
            try {
                InetAddress.getAllByName(host);
            } catch (java.net.UnknownHostException e) {
                throw new OptionException("address resolution failed for " + host + ":" + port + ": Name or service not known");
            }
        }
    }
}
