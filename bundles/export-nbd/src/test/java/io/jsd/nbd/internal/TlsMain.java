package io.jsd.nbd.internal;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Manual TLS check: {@code TlsMain CERTDIR SOCK} serves a 16 MiB memory disk "disk" with TLS. */
public final class TlsMain {
    private TlsMain() {}

    public static void main(String[] args) throws Exception {
        Path sock = Path.of(args[1]);
        NbdService svc = new NbdService();
        TlsConfig tls = TlsConfig.load(Path.of(args[0]), true, null);
        NbdServer s = svc.start(new ServerConfig(UnixDomainSocketAddress.of(sock), sock, tls, 0, 10));
        s.addExport(new NbdExport(s, "disk", "disk", null, new StubHandle("disk", new MemNode(16 << 20), false), true, false, false));
        Thread.currentThread().join();
    }
}
