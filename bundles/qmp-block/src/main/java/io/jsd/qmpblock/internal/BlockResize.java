package io.jsd.qmpblock.internal;

import java.util.Optional;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.block.BlockGraph;
import io.jsd.block.NodeHandle;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;

/**
 * block_resize: changes the size of a node (the driver decides what it allows: qcow2 grows its L1
 * table, shrinks only without snapshots). QSD has no devices, so only node-name finds a node;
 * the messages are QSD's.
 */
@Component
@QmpCommandName("block_resize")
public class BlockResize implements QmpCommand {
    @Reference private BlockGraph graph;

    public BlockResize() {}

    BlockResize(BlockGraph graph) { this.graph = graph; }

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        String device = args.optString("device").orElse(null);
        String nodeName = args.optString("node-name").orElse(null);
        long size = args.integer("size");
        Optional<NodeHandle> n = nodeName == null ? Optional.empty() : graph.find(nodeName);
        if (n.isEmpty()) {
            throw QmpException.generic("Cannot find device='" + (device == null ? "" : device)
                    + "' nor node-name='" + (nodeName == null ? "" : nodeName) + "'");
        }
        if (size < 0) throw QmpException.generic("Parameter 'size' expects a >0 size");
        if (n.get().readOnly()) throw QmpException.generic("Image is read-only");
        n.get().io().truncate(size);
        return null;
    }
}
