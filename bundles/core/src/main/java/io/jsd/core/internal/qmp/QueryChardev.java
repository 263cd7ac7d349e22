package io.jsd.core.internal.qmp;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.jsd.options.Options;
import io.jsd.options.QapiType;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/** query-chardev: lives in core because the chardevs do. */
@Component
@QmpCommandName("query-chardev")
public final class QueryChardev implements QmpCommand {
    @Reference
    private Monitors monitors;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        monitors.chardevInfo().forEach(out::add);
        return out;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.returning("[ChardevInfo]", QapiType.struct("ChardevInfo", "label:str", "filename:str", "frontend-open:bool"));
    }
}
