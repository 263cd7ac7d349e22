package io.jsd.core.internal.qmp;

import java.net.InetAddress;

import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.options.SocketAddressOption;

/**
 * --chardev socket options, checked in QSD's order with its messages. What QSD implements and JSD
 * does not (telnet, tn3270, websocket, mux, abstract sockets, reconnecting clients, log files,
 * inherited fds, TLS) is refused with a clear error instead of being accepted and dropped;
 * options that change nothing when off (telnet=off, tight without abstract, ...) are accepted.
 * The address options (path, abstract, tight / host, port, to, ipv4, ipv6) become one
 * {@link SocketAddressOption}, as qemu_chr_parse_socket turns them into a SocketAddress; the rest
 * are the chardev's own.
 */
record SocketChardevOptions(SocketAddressOption addr, boolean server, boolean waitForClient, boolean nodelay) {
    static SocketChardevOptions parse(Options o) {
        String path = o.optString("path").orElse(null);
        boolean server = o.bool("server", false);
        String host = o.optString("host").orElse(null);
        String port = o.optString("port").orElse(null);
        String fd = o.optString("fd").orElse(null);
        boolean wait = o.bool("wait", true);
        boolean nodelay = o.bool("nodelay", false) || !o.bool("delay", true);
        Boolean ipv4 = o.optBool("ipv4").orElse(null);
        Boolean ipv6 = o.optBool("ipv6").orElse(null);
        String to = o.optString("to").orElse(null);
        boolean hasReconnect = o.has("reconnect");
        // QSD checks only 'reconnect' against server mode; a server ignores reconnect-ms
        long reconnect = Math.max(o.integer("reconnect", 0), server ? 0 : o.integer("reconnect-ms", 0));
        boolean tlsCreds = o.has("tls-creds");
        boolean tlsAuthz = o.has("tls-authz");
        o.optString("tls-creds");
        o.optString("tls-authz");
        o.bool("signal", true); // only stdio uses it, in qemu too
        boolean tight = o.bool("tight", true); // only meaningful for abstract sockets
        int given = (path != null ? 1 : 0) + (fd != null ? 1 : 0) + (host != null ? 1 : 0);
        if (given > 1) throw new OptionException("None or one of 'path', 'fd' or 'host' option required.");
        if (path == null && fd == null && host == null && port == null) throw new OptionException("Unable to parse FD number ");
        if (host != null && port == null) throw new OptionException("chardev: socket: no port given");
        if (hasReconnect && server) throw new OptionException("'reconnect' option is incompatible with socket in server listen mode");
        if (tlsAuthz && !tlsCreds) throw new OptionException("'tls_authz' option requires 'tls_creds' option");
        for (String k : new String[] {"telnet", "tn3270", "websocket", "mux"}) unsupported(o, k, o.bool(k, false));
        boolean isAbstract = o.bool("abstract", false);
        unsupported(o, "abstract", isAbstract);
        unsupported(o, "reconnect", reconnect > 0);
        unsupported(o, "logfile", o.has("logfile"));
        o.bool("logappend", false);
        unsupported(o, "fd", fd != null);
        unsupported(o, "tls-creds", tlsCreds);
        if (port != null) {
            try {
                Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new OptionException("Failed to parse port '" + port + "'");
            }
        }
        Long toPort = null;
        if (to != null) {
            try {
                toPort = (long) Integer.parseInt(to);
            } catch (NumberFormatException e) {
                throw new OptionException("Parameter 'to' expects a number");
            }
        }
        // fd= is refused above, so of qemu's three cases (path, host, fd) two remain; port= alone
        // listens on every address, as QSD does
        SocketAddressOption addr = path != null ? SocketAddressOption.unix(path, isAbstract, tight)
                : SocketAddressOption.inet(host == null || host.isEmpty() ? "0.0.0.0" : host, port, toPort, ipv4, ipv6);
        addr.checkFamily();
        resolve(addr);
        return new SocketChardevOptions(addr, server, server && wait, nodelay);
    }

    private static void unsupported(Options o, String key, boolean set) {
        if (set) throw new OptionException("chardev: socket: '" + key + "' is not supported by JSD");
    }

    /** A host name that does not resolve fails here, as qemu's getaddrinfo fails when the chardev opens. */
    private static void resolve(SocketAddressOption addr) {
        if (!addr.type().equals("inet") || addr.host().matches("[0-9.]+") || addr.host().contains(":")) return;
        try {
            InetAddress.getAllByName(addr.host());
        } catch (java.net.UnknownHostException e) {
            throw new OptionException("address resolution failed for " + addr.host() + ":" + addr.port() + ": Name or service not known");
        }
    }
}
