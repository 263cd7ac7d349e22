package io.jsd.core.internal.graph;

import io.jsd.options.OptionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Node-name rules and generated names, as qemu has them. */
final class NodeNames {
    private final AtomicLong counter = new AtomicLong();

    /** qemu's id_generate(ID_BLOCK): "#block", a counter, then two random digits ("#block001", "#block186"). */
    String generate() {
        return String.format("#block%d%02d", counter.getAndIncrement(), ThreadLocalRandom.current().nextInt(100));
    }

    /** qemu's id_wellformed plus the length limit of BlockDriverState.node_name. */
    static void validate(String name) {
        if (!io.jsd.core.internal.Ids.wellFormed(name)) throw new OptionException("Invalid node-name: '" + name + "'");
        if (name.length() >= 32) throw new OptionException("Node name too long");
    }
}
