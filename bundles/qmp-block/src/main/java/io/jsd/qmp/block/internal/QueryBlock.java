package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** query-block lists guest devices' backends; a storage daemon has none, so it is always [] (as in QSD). */
@Component
@QmpCommandName("query-block")
public final class QueryBlock implements QmpCommand {
    @Override
    public JsonNode execute(Options args, QmpSession session) { return JsonNodeFactory.instance.arrayNode(); }

    @Override
    public QmpSchema schema() {
        return new QmpSchema("0", "[BlockInfo]", List.of(Schema.array("BlockInfo"),
                Schema.object("BlockInfo", "device:str", "qdev?:str", "type:str", "removable:bool", "locked:bool")));
    }
}
