package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jsd.block.BlockGraph;
import io.jsd.block.NodeHandle;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** query-named-block-nodes: newest node first, as qemu lists them. */
@Component
@QmpCommandName("query-named-block-nodes")
public final class QueryNamedBlockNodes implements QmpCommand {
    @Reference BlockGraph graph;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        boolean flat = args.bool("flat", false);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (NodeHandle n : graph.nodes().reversed()) out.add(n.describe(flat));
        return out;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("query-named-block-nodes", "flat?:bool"), "[BlockDeviceInfo]",
                Schema.BLOCK_DEVICE_INFO, Schema.IMAGE_INFO, Schema.CACHE_INFO);
    }
}
