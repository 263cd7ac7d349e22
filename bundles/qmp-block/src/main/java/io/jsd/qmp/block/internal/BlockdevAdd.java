package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsd.block.BlockGraph;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** blockdev-add: the graph opens the node tree and checks every option. */
@Component
@QmpCommandName("blockdev-add")
public final class BlockdevAdd implements QmpCommand {
    @Reference BlockGraph graph;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        graph.add(args);
        return null;
    }

    @Override
    public QmpSchema schema() {
        return new QmpSchema("BlockdevOptions", "0", List.of());
    }
}
