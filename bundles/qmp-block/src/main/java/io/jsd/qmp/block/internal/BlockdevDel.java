package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsd.block.BlockGraph;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** blockdev-del of a root node; its implicitly created children go with it. */
@Component
@QmpCommandName("blockdev-del")
public final class BlockdevDel implements QmpCommand {
    @Reference BlockGraph graph;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        graph.delete(args.string("node-name"));
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("blockdev-del", "node-name:str"), "0");
    }
}
