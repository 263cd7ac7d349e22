package io.jsd.nbd.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.objects.ObjectRegistry;
import io.jsd.objects.UserObject;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.options.SocketAddressOption;
import io.jsd.qmp.QmpException;

/**
 * Turns nbd-server-start arguments into a {@link ServerConfig}. Accepts both address shapes: the
 * flat SocketAddress of QSD's --nbd-server ({@code addr.type=unix,addr.path=...}) and QMP's
 * SocketAddressLegacy ({@code "addr": {"type": "unix", "data": {"path": ...}}}).
 */
final class ServerOptions {
    private ServerOptions() {}

    /**
     * The arguments as read, before anything is looked up: QSD checks every argument's presence,
     * type and name (QAPI) before it looks at the server, the address or the TLS objects.
     */
    record Args(SocketAddressOption addr, Optional<String> creds, Optional<String> authz, long maxConn, long handshake) {
        String type() { return addr.type(); }

        String path() { return addr.path(); }

        String host() { return addr.host(); }

        String port() { return addr.port(); }

        String fd() { return addr.fd(); }
    }

    static ServerConfig parse(Options args, ObjectRegistry objects) throws QmpException {
        return resolve(read(args), objects);
    }

    /** Reads and checks every argument, unexpected ones included; looks nothing up. */
    static Args read(Options args) throws QmpException {
        Options addr = args.child("addr");
        if (addr == null) throw args.missing("addr");
        String type = addr.choice("type", null, "inet", "unix", "vsock", "fd");
        if (type == null) throw addr.missing("type");
        Options data = addr.has("data") ? addr.child("data") : addr;
        SocketAddressOption sa = SocketAddressOption.read(type, data);
        if (data != addr) addr.checkAllUsed();
        Optional<String> creds = args.optString("tls-creds");
        Optional<String> authz = args.optString("tls-authz");
        long maxConn = args.integer("max-connections", ServerConfig.DEFAULT_MAX_CONNECTIONS);
        long handshake = args.integer("handshake-max-seconds", ServerConfig.DEFAULT_HANDSHAKE_MAX_SECONDS);
        if (maxConn < 0 || maxConn > 0xffffffffL) {
            throw new OptionException("Parameter 'max-connections' expects uint32_t");
        }
        if (handshake < 0 || handshake > 0xffffffffL) {
            throw new OptionException("Parameter 'handshake-max-seconds' expects uint32_t");
        }
        args.checkAllUsed();
        return new Args(sa, creds, authz, maxConn, handshake);
    }

    /** Resolves the address, then the TLS objects (QSD's order: it listens before it looks up credentials). */
    static ServerConfig resolve(Args a, ObjectRegistry objects) throws QmpException {
        java.net.SocketAddress sa;
        Path unixPath = null;
        int fd = -1;
        a.addr().checkSupported();
        switch (a.type()) {
            case "unix" -> {
                unixPath = Path.of(a.path());
                sa = UnixDomainSocketAddress.of(unixPath);
            }
            case "inet" -> {
                int portNo;
                try {
                    portNo = Integer.parseInt(a.port());
                } catch (NumberFormatException e) {
                    throw QmpException.generic("Service '" + a.port() + "' not known");
                }
                sa = a.host().isEmpty() ? new InetSocketAddress(portNo) : new InetSocketAddress(a.host(), portNo);
                if (((InetSocketAddress) sa).isUnresolved()) {
                    throw QmpException.generic("address resolution failed for " + a.host() + ":" + a.port());
                }
            }
            case "fd" -> {
                try {
                    fd = Integer.parseInt(a.fd());
                } catch (NumberFormatException e) {
                    // qemu also accepts the name of an fd passed over QMP (getfd); JSD takes numbers
                    throw QmpException.generic("File descriptor named '" + a.fd() + "' has not been found");
                }
                if (fd < 0) throw QmpException.generic("Invalid file descriptor " + a.fd());
                sa = null;
            }
            default -> throw QmpException.generic("vsock addresses are not supported");
        }
        TlsConfig tls = null;
        if (a.creds().isPresent()) {
            tls = tlsConfig(a.creds().get(), a.authz().orElse(null), objects);
        } // QSD accepts tls-authz without tls-creds and ignores it: so does JSD
        return new ServerConfig(sa, unixPath, tls, (int) Math.min(a.maxConn(), Integer.MAX_VALUE),
                (int) Math.min(a.handshake(), Integer.MAX_VALUE), fd);
    }

    private static TlsConfig tlsConfig(String id, String authzId, ObjectRegistry objects) throws QmpException {
        Optional<UserObject> o = objects == null ? Optional.empty() : objects.find(id);
        if (o.isEmpty()) throw QmpException.generic("No TLS credentials with id '" + id + "'");
        UserObject obj = o.get();
        if (!obj.type().startsWith("tls-creds")) {
            throw QmpException.generic("Object with id '" + id + "' is not TLS credentials");
        }
        if (!obj.type().equals("tls-creds-x509")) {
            throw QmpException.generic("TLS credentials of type '" + obj.type() + "' are not supported by JSD yet");
        }
        Options props = new Options(obj.props().deepCopy(), "", true);
        String endpoint = props.string("endpoint", "client");
        if (!endpoint.equals("server")) throw QmpException.generic("Expecting TLS credentials with a server endpoint");
        String dir = props.string("dir", null);
        if (dir == null) throw QmpException.generic("Missing 'dir' property value");
        boolean verify = props.bool("verify-peer", true);
        String identity = null;
        if (authzId != null) {
            Optional<UserObject> a = objects.find(authzId);
            if (a.isEmpty()) throw QmpException.generic("Cannot find authorization object '" + authzId + "'");
            if (!a.get().type().equals("authz-simple")) {
                throw QmpException.generic("Authorization object '" + authzId + "' of type '" + a.get().type()
                        + "' is not supported by JSD yet (use authz-simple)");
            }
            identity = new Options(a.get().props().deepCopy(), "", true).string("identity", "");
        }
        try {
            return TlsConfig.load(Path.of(dir), verify, identity);
        } catch (IOException | GeneralSecurityException e) {
            throw QmpException.generic("Cannot load TLS credentials '" + id + "': " + e.getMessage());
        }
    }
}
