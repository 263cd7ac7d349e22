package io.jsd.qmp.control.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * query-qmp-schema: SchemaInfo entries for the installed commands (from each QmpCommand.schema()),
 * the types they refer to (first definition of a name wins), and the builtin types.
 */
@Component
@QmpCommandName("query-qmp-schema")
public final class QueryQmpSchema implements QmpCommand {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String[]> BUILTINS = List.of(new String[] {"str", "string"}, new String[] {"int", "int"},
            new String[] {"bool", "boolean"}, new String[] {"number", "number"}, new String[] {"null", "null"},
            new String[] {"any", "value"}, new String[] {"size", "int"}, new String[] {"uint64", "int"});

    private final Map<QmpCommand, String> commands = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addCommand(QmpCommand c, Map<String, Object> props) {
        Object n = props.get(QmpCommand.NAME_PROPERTY);
        if (n != null) commands.put(c, n.toString());
    }

    void removeCommand(QmpCommand c) { commands.remove(c); }

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        Map<String, QmpCommand> byName = new TreeMap<>();
        commands.forEach((c, n) -> byName.putIfAbsent(n, c));
        ArrayNode out = F.arrayNode();
        Map<String, ObjectNode> types = new TreeMap<>();
        for (Map.Entry<String, QmpCommand> e : byName.entrySet()) {
            QmpSchema s = e.getValue() == this ? schema() : e.getValue().schema();
            out.addObject().put("name", e.getKey()).put("meta-type", "command")
                    .put("arg-type", s.argType()).put("ret-type", s.retType());
            for (ObjectNode t : s.types()) types.putIfAbsent(t.path("name").asText(), t);
        }
        ObjectNode empty = F.objectNode().put("name", "0").put("meta-type", "object");
        empty.putArray("members");
        types.putIfAbsent("0", empty);
        types.values().forEach(out::add);
        for (String[] b : BUILTINS) out.addObject().put("name", b[0]).put("meta-type", "builtin").put("json-type", b[1]);
        return out;
    }

    @Override
    public QmpSchema schema() {
        ObjectNode info = F.objectNode().put("name", "SchemaInfo").put("meta-type", "object");
        ArrayNode m = info.putArray("members");
        m.addObject().put("name", "name").put("type", "str");
        m.addObject().put("name", "meta-type").put("type", "str");
        ObjectNode list = F.objectNode().put("name", "[SchemaInfo]").put("meta-type", "array").put("element-type", "SchemaInfo");
        return new QmpSchema("0", "[SchemaInfo]", List.of(info, list));
    }
}
