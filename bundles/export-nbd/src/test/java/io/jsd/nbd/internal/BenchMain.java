package io.jsd.nbd.internal;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Stand-alone NBD server over a raw file, to measure the protocol engine without the daemon:
 * {@code java -cp ... io.jsd.nbd.internal.BenchMain IMG SOCK NAME}. Runs until killed.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Path img = Path.of(args[0]);
        Path sock = Path.of(args[1]);
        String name = args[2];
        NbdService svc = new NbdService();
        NbdServer s = svc.start(new ServerConfig(UnixDomainSocketAddress.of(sock), sock, null, 0, 10));
        FileNode node = new FileNode(img);
        NbdExport e = new NbdExport(s, name, name, null, new StubHandle(name, node, false), true, false, false);
        s.addExport(e);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        Thread.currentThread().join();
    }
}
