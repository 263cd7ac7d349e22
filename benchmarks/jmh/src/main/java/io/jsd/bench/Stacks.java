package io.jsd.bench;

import java.nio.file.Path;

import io.jsd.block.NodeHandle;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.driver.nullblk.internal.NullCoDriver;
import io.jsd.driver.raw.internal.RawDriver;
import io.jsd.qcow2.internal.Qcow2Driver;
import io.jsd.testkit.GraphHarness;

/**
 * Node stacks in core's real block graph, outside OSGi (as the modules' own integration tests do):
 * the handle's {@code io()} is core's normalising wrapper, so a benchmark pays exactly what an
 * export pays per request.
 */
final class Stacks {
    private Stacks() {}

    static GraphHarness graph() {
        return new GraphHarness()
                .driver("file", new FileDriver())
                .driver("raw", new RawDriver())
                .driver("qcow2", new Qcow2Driver())
                .driver("null-co", new NullCoDriver());
    }

    /**
     * "file": the protocol node alone; "raw" / "qcow2": that format over a file node;
     * "null-co": no storage at all (what is left is core's wrapper).
     */
    static NodeHandle open(GraphHarness g, String stack, Path image, long size) throws Exception {
        String file = "{'driver':'file','filename':'" + image + "'}";
        return switch (stack) {
            case "file" -> g.add("{'driver':'file','node-name':'disk','filename':'" + image + "'}");
            case "raw", "qcow2" -> g.add("{'driver':'" + stack + "','node-name':'disk','file':" + file + "}");
            case "null-co" -> g.add("{'driver':'null-co','node-name':'disk','size':" + size + ",'read-zeroes':true}");
            default -> throw new IllegalArgumentException("unknown stack " + stack);
        };
    }

    /** The image format a stack needs on disk (none for null-co). */
    static String format(String stack) {
        return switch (stack) {
            case "qcow2" -> "qcow2";
            case "null-co" -> null;
            default -> "raw";
        };
    }
}
