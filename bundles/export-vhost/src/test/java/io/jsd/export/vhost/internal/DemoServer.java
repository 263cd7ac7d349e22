package io.jsd.export.vhost.internal;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Serves a raw image over vhost-user-blk without the daemon runtime, for trying the export with a
 * real QEMU before core's graph exists: {@code DemoServer IMAGE SOCKET NUM_QUEUES}. Stops on SIGTERM.
 */
public final class DemoServer {
    public static void main(String[] args) throws Exception {
        FileNode node = new FileNode(Path.of(args[0]));
        String json = "{\"addr\":{\"type\":\"unix\",\"path\":\"" + args[1] + "\"},\"num-queues\":" + args[2] + "}";
        var export = new VhostBlkExportDriver().create(new TestContext(node, json, true));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            export.close(true);
            done.countDown();
        }));
        done.await();
    }
}
