package io.jsd.options;

/**
 * A QAPI SocketAddress read the one way for every user (--nbd-server / nbd-server-start, the
 * vhost-user-blk export's addr, later the nbd client): qemu's member names and types for each
 * type (unix, inet, vsock, fd), read first as QAPI does; then {@link #checkSupported()} refuses
 * with a clear error what QSD implements and JSD does not, rather than accepting and dropping it.
 *
 * @param tight   only meaningful for abstract sockets (qemu ignores it otherwise)
 * @param numeric accepted: qemu only skips name resolution with it
 */
public record SocketAddressOption(String type, String path, boolean isAbstract, boolean tight, String host, String port,
                                  boolean numeric, Long to, Boolean ipv4, Boolean ipv6, boolean keepAlive, boolean mptcp,
                                  String fd, String cid) {
    /** Reads {@code type} and the members beside it (flat SocketAddress), then rejects unexpected members. */
    public static SocketAddressOption read(Options addr) {
        String type = addr.choice("type", null, "inet", "unix", "vsock", "fd");
        if (type == null) throw addr.missing("type");
        return read(type, addr);
    }

    /** Reads the members of a {@code type} address from {@code data} (SocketAddressLegacy's "data", or the flat object). */
    public static SocketAddressOption read(String type, Options data) {
        SocketAddressOption a = switch (type) {
            case "unix" -> new SocketAddressOption(type, data.string("path"), data.bool("abstract", false), data.bool("tight", true),
                    null, null, false, null, null, null, false, false, null, null);
            case "inet" -> {
                String host = data.string("host");
                var p = data.raw("port");
                if (p == null || p.isNull()) throw data.missing("port");
                if (!p.isTextual() && !(data.keyval() && p.isValueNode())) {
                    throw new OptionException("Invalid parameter type for '" + data.prefix() + "port', expected: string");
                }
                boolean numeric = data.bool("numeric", false);
                Long to = data.optInteger("to").orElse(null);
                Boolean v4 = data.optBool("ipv4").orElse(null);
                Boolean v6 = data.optBool("ipv6").orElse(null);
                boolean keepAlive = data.bool("keep-alive", false);
                boolean mptcp = data.bool("mptcp", false);
                yield new SocketAddressOption(type, null, false, true, host, p.asText(), numeric, to, v4, v6, keepAlive, mptcp, null, null);
            }
            case "fd" -> new SocketAddressOption(type, null, false, true, null, null, false, null, null, null, false, false, data.string("str"), null);
            default -> new SocketAddressOption(type, null, false, true, null, data.string("port"), false, null, null, null, false, false, null,
                    data.string("cid"));
        };
        data.checkAllUsed();
        return a;
    }

    /** A unix address built from flat options, as qemu_chr_parse_socket builds it from a chardev's path=, abstract=, tight=. */
    public static SocketAddressOption unix(String path, boolean isAbstract, boolean tight) {
        return new SocketAddressOption("unix", path, isAbstract, tight, null, null, false, null, null, null, false, false, null, null);
    }

    /** An inet address built from flat options (a chardev's host=, port=, to=, ipv4=, ipv6=); to, ipv4, ipv6 null when not given. */
    public static SocketAddressOption inet(String host, String port, Long to, Boolean ipv4, Boolean ipv6) {
        return new SocketAddressOption("inet", null, false, true, host, port, false, to, ipv4, ipv6, false, false, null, null);
    }

    /** Refuses what JSD does not implement, and an address family the host literal cannot have (qemu's resolution error). */
    public void checkSupported() {
        if (isAbstract) throw new OptionException("Abstract unix sockets are not supported");
        if (type.equals("vsock")) throw new OptionException("vsock addresses are not supported");
        if (!type.equals("inet")) return;
        if (to != null) unsupported("to");
        if (keepAlive) unsupported("keep-alive");
        if (mptcp) unsupported("mptcp");
        checkFamily();
    }

    /**
     * ipv4= / ipv6= restrict an inet address's family as qemu's inet_ai_family_from_address does
     * (ipv6=off alone means IPv4 only); a host literal of the other family fails as qemu's getaddrinfo.
     */
    public void checkFamily() {
        if (!type.equals("inet")) return;
        boolean only4 = Boolean.TRUE.equals(ipv4) && !Boolean.TRUE.equals(ipv6) || Boolean.FALSE.equals(ipv6) && ipv4 == null;
        boolean only6 = Boolean.TRUE.equals(ipv6) && !Boolean.TRUE.equals(ipv4) || Boolean.FALSE.equals(ipv4) && ipv6 == null;
        boolean v4Literal = host.matches("[0-9.]+");
        boolean v6Literal = host.contains(":");
        if ((only6 && v4Literal) || (only4 && v6Literal)) {
            throw new OptionException("address resolution failed for " + host + ":" + port + ": Address family for hostname not supported");
        }
    }

    private static void unsupported(String key) {
        throw new OptionException("Socket address option '" + key + "' is not supported by JSD");
    }
}
