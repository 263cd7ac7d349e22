package io.jsd.nbd.internal;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.qcow2.internal.Qcow2Driver;
import io.jsd.testkit.GraphHarness;

/**
 * An NBD server for ../shared/tools/nbd-bench until the daemon exists: core's graph with the file
 * and qcow2 drivers, exported by the NBD export engine.
 * {@code java -cp TEST_CLASSPATH io.jsd.nbd.internal.Qcow2NbdBenchMain IMG FMT SOCK NAME}.
 * It lives in the export's package to reach its (package-private) engine; test scope only.
 */
public final class Qcow2NbdBenchMain {
    private Qcow2NbdBenchMain() {}

    public static void main(String[] args) throws Exception {
        Path img = Path.of(args[0]);
        String fmt = args[1];
        Path sock = Path.of(args[2]);
        String name = args[3];
        GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("qcow2", new Qcow2Driver());
        h.add("{'driver':'file','node-name':'f0','filename':'" + img + "'}");
        NodeHandle node = fmt.equals("raw") ? h.graph.require("f0")
                : h.add("{'driver':'qcow2','node-name':'q0','file':'f0'}");
        NbdServer s = new NbdService().start(new ServerConfig(UnixDomainSocketAddress.of(sock), sock, null, 0, 10));
        s.addExport(new NbdExport(s, name, name, null, node, true, false, false));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.stop();
            h.clear();
        }));
        Thread.currentThread().join();
    }
}
