package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockGraph;
import io.jsd.block.ChildRole;
import io.jsd.block.NodeChild;
import io.jsd.block.NodeHandle;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * query-blockstats. Without query-nodes it lists guest devices, of which a storage daemon has
 * none ([] as in QSD); with query-nodes=true every node, with its "file" child's entry under
 * "parent" and its backing node's under "backing", as qemu nests them.
 */
@Component
@QmpCommandName("query-blockstats")
public final class QueryBlockstats implements QmpCommand {
    @Reference BlockGraph graph;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        boolean nodes = args.bool("query-nodes", false);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (!nodes) return out;
        List<NodeHandle> all = graph.nodes();
        for (NodeHandle n : all) out.add(entry(n, all));
        return out;
    }

    private static ObjectNode entry(NodeHandle n, List<NodeHandle> all) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("node-name", n.nodeName());
        ObjectNode stats = n.stats();
        e.set("stats", stats != null ? stats : JsonNodeFactory.instance.objectNode());
        if (n.driver().equals("file") || n.driver().equals("host_device")) {
            ObjectNode ds = e.putObject("driver-specific");
            ds.put("driver", n.driver());
            ds.put("discard-nb-ok", stats != null ? stats.path("unmap_operations").asLong() : 0);
            ds.put("discard-nb-failed", stats != null ? stats.path("failed_unmap_operations").asLong() : 0);
            ds.put("discard-bytes-ok", stats != null ? stats.path("unmap_bytes").asLong() : 0);
        }
        for (NodeChild c : n.children()) {
            NodeHandle child = find(all, c);
            if (child == null) continue;
            if (c.role() == ChildRole.COW && !e.has("backing")) e.set("backing", entry(child, all));
            else if (c.name().equals("file") && !e.has("parent")) e.set("parent", entry(child, all));
        }
        return e;
    }

    private static NodeHandle find(List<NodeHandle> all, NodeChild c) {
        for (NodeHandle h : all) if (h.io() == c.node()) return h;
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("query-blockstats", "query-nodes?:bool"), "[BlockStats]",
                Schema.BLOCK_STATS, Schema.BLOCK_DEVICE_STATS, Schema.BLOCK_DEVICE_TIMED_STATS);
    }
}
