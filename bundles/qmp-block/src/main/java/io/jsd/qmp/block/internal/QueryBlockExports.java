package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jsd.export.ExportRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** query-block-exports: {type, id, node-name, shutting-down} per export. */
@Component
@QmpCommandName("query-block-exports")
public final class QueryBlockExports implements QmpCommand {
    @Reference ExportRegistry exports;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        exports.describe().forEach(out::add);
        return out;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.returning("[BlockExportInfo]", Schema.EXPORT_INFO);
    }
}
