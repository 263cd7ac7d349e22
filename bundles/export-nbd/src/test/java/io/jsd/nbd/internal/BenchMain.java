package io.jsd.nbd.internal;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

import io.jsd.testkit.FileNode;

/**
 * Stand-alone NBD server over a raw file, to measure the protocol engine without the daemon:
 * {@code java -cp ... io.jsd.nbd.internal.BenchMain IMG SOCK NAME [graph]}; with "graph" the export goes
 * through core's block graph and the real raw + file drivers. Runs until killed.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Path img = Path.of(args[0]);
        Path sock = Path.of(args[1]);
        String name = args[2];
        io.jsd.block.NodeHandle handle;
        if (args.length > 3 && args[3].equals("graph")) {
            // The real thing minus OSGi: core's graph and I/O wrapper over the raw and file drivers.
            io.jsd.testkit.GraphHarness g = new io.jsd.testkit.GraphHarness()
                    .driver("file", new io.jsd.driver.file.internal.FileDriver())
                    .driver("raw", new io.jsd.driver.raw.internal.RawDriver());
            handle = g.add("{\"driver\":\"raw\",\"node-name\":\"" + name + "\",\"file\":{\"driver\":\"file\",\"filename\":\""
                    + img.toAbsolutePath() + "\"}}");
        } else {
            handle = new StubHandle(name, new FileNode(img), false);
        }
        NbdService svc = new NbdService();
        NbdServer s = svc.start(new ServerConfig(UnixDomainSocketAddress.of(sock), sock, null, 0, 10));
        NbdExport e = new NbdExport(s, name, name, null, handle, true, false, false);
        s.addExport(e);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        Thread.currentThread().join();
    }
}
