package io.jsd.export.vhost.internal;

import java.util.concurrent.CountDownLatch;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.qcow2.internal.Qcow2Driver;
import io.jsd.testkit.GraphHarness;

/**
 * Serves an image over vhost-user-blk through core's real block graph (file driver, and the qcow2
 * driver for FMT=qcow2) but without the daemon runtime, so the export can be tried with a real QEMU
 * ({@code vhost-guest-test -s}) before the launcher exists:
 * {@code DemoServer IMAGE raw|qcow2 SOCKET NUM_QUEUES [discard]}. Stops on SIGTERM.
 */
public final class DemoServer {
    public static void main(String[] args) throws Exception {
        String discard = args.length > 4 ? ",\"discard\":\"" + args[4] + "\"" : "";
        GraphHarness g = new GraphHarness().driver("file", new FileDriver()).driver("qcow2", new Qcow2Driver());
        String file = "{\"driver\":\"file\",\"filename\":\"" + args[0] + "\"" + discard + "}";
        NodeHandle node = args[1].equals("qcow2")
                ? g.add("{\"driver\":\"qcow2\",\"node-name\":\"fmt\"" + discard + ",\"file\":" + file + "}")
                : g.add(file.replace("{\"driver\":\"file\",", "{\"driver\":\"file\",\"node-name\":\"file\","));
        String json = "{\"addr\":{\"type\":\"unix\",\"path\":\"" + args[2] + "\"},\"num-queues\":" + args[3] + "}";
        long delay = Long.getLong("jsd.demo.write-delay-ms", 0);
        var export = new VhostBlkExportDriver().create(delay > 0
                ? new TestContext(new SlowNode(node.io(), delay), json, true)
                : new TestContext(node, json, true));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            export.close(true);
            g.clear();
            done.countDown();
        }));
        done.await();
    }
}
