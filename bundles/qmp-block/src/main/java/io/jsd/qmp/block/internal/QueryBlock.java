package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import org.osgi.service.component.annotations.Component;

/** query-block lists guest devices' backends; a storage daemon has none, so it is always [] (as in QSD). */
@Component
@QmpCommandName("query-block")
public final class QueryBlock implements QmpCommand {
    @Override
    public JsonNode execute(Options args, QmpSession session) { return JsonNodeFactory.instance.arrayNode(); }

    @Override
    public QmpSchema schema() {
        return QmpSchema.returning("[BlockInfo]", Schema.BLOCK_INFO, Schema.BLOCK_DEVICE_INFO, Schema.IMAGE_INFO, Schema.CACHE_INFO);
    }
}
