package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsd.block.BlockGraph;
import io.jsd.block.NodeHandle;
import io.jsd.block.NodeUse;
import io.jsd.block.Permission;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * block_resize: grows or shrinks a node (for raw, the file under it). QSD has no devices, so only
 * node-name finds a node; the messages are QSD's.
 */
@Component
@QmpCommandName("block_resize")
public final class BlockResize implements QmpCommand {
    @Reference BlockGraph graph;

    public BlockResize() {}

    BlockResize(BlockGraph graph) { this.graph = graph; }

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        String device = args.optString("device").orElse("");
        String nodeName = args.optString("node-name").orElse("");
        long size = args.integer("size");
        NodeHandle n = (nodeName.isEmpty() ? java.util.Optional.<NodeHandle>empty() : graph.find(nodeName)).orElseThrow(() ->
                QmpException.generic("Cannot find device='" + device + "' nor node-name='" + nodeName + "'"));
        if (size < 0) throw new OptionException("Parameter 'size' expects a >0 size");
        // qemu takes the resize permission (sharing everything) before it truncates, so a node whose
        // users refuse to share resize (an NBD export, a format parent) reports their conflict.
        try (NodeUse use = n.use("block_resize", Permission.RESIZE, Permission.ALL)) {
            if (n.readOnly()) throw QmpException.generic("Image is read-only");
            if (!n.capabilities().truncate()) throw QmpException.generic("Image format driver does not support resize");
            n.io().truncate(size);
        }
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("block_resize", "device?:str", "node-name?:str", "size:int"), "0");
    }
}
