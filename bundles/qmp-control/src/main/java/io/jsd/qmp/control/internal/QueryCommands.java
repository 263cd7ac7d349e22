package io.jsd.qmp.control.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpDispatcher;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import io.jsd.options.QapiType;

/** query-commands: the commands installed right now ([{"name": ...}, ...]). */
@Component
@QmpCommandName("query-commands")
public final class QueryCommands implements QmpCommand {
    @Reference
    private QmpDispatcher dispatcher;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (String name : dispatcher.commands()) out.addObject().put("name", name);
        return out;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.returning("[CommandInfo]", QapiType.struct("CommandInfo", "name:str"));
    }
}
