package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockGraph;
import io.jsd.block.NodeChild;
import io.jsd.block.NodeHandle;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * x-debug-query-block-graph: nodes and the edges between them. JSD has no permission system, so
 * edges report the permissions a parent would take by qemu's defaults.
 */
@Component
@QmpCommandName("x-debug-query-block-graph")
public final class XDebugQueryBlockGraph implements QmpCommand {
    @Reference BlockGraph graph;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode();
        ArrayNode nodes = out.putArray("nodes"), edges = out.putArray("edges");
        List<NodeHandle> all = graph.nodes();
        Map<Object, Integer> ids = new IdentityHashMap<>();
        for (int i = 0; i < all.size(); i++) ids.put(all.get(i).io(), i + 1);
        for (NodeHandle n : all.reversed()) {
            ObjectNode o = nodes.addObject();
            o.put("name", n.nodeName());
            o.put("type", "block-driver");
            o.put("id", ids.get(n.io()));
        }
        for (NodeHandle n : all.reversed()) {
            for (NodeChild c : n.children()) {
                Integer child = ids.get(c.node());
                if (child == null) continue;
                ObjectNode e = edges.addObject();
                e.put("name", c.name());
                e.put("parent", ids.get(n.io()));
                e.put("child", child);
                ArrayNode perm = e.putArray("perm");
                perm.add("consistent-read");
                if (!n.readOnly()) perm.add("write");
                ArrayNode shared = e.putArray("shared-perm");
                shared.add("write-unchanged");
                shared.add("consistent-read");
            }
        }
        return out;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.returning("XDbgBlockGraph",
                Schema.object("XDbgBlockGraph", "nodes:[XDbgBlockGraphNode]", "edges:[XDbgBlockGraphEdge]"),
                Schema.object("XDbgBlockGraphNode", "id:uint64", "type:XDbgBlockGraphNodeType", "name:str"),
                Schema.enumeration("XDbgBlockGraphNodeType", "block-backend", "block-job", "block-driver"),
                Schema.object("XDbgBlockGraphEdge", "parent:uint64", "child:uint64", "name:str", "perm:[BlockPermission]",
                        "shared-perm:[BlockPermission]"),
                Schema.enumeration("BlockPermission", "consistent-read", "write", "write-unchanged", "resize"));
    }
}
