package io.jsd.core.internal.qmp;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * qmp_capabilities as the dispatcher sees it: the monitor itself handles it in negotiation mode,
 * so reaching this means negotiation is over. Registered so query-commands and the schema list it.
 */
@Component
@QmpCommandName("qmp_capabilities")
public final class QmpCapabilitiesCommand implements QmpCommand {
    @Override
    public JsonNode execute(Options args, QmpSession session) throws QmpException {
        throw new QmpException(QmpException.COMMAND_NOT_FOUND, "Capabilities negotiation is already complete, command ignored");
    }

    @Override
    public QmpSchema schema() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode arg = f.objectNode().put("name", "q_obj_qmp_capabilities-arg").put("meta-type", "object");
        arg.putArray("members").addObject().put("name", "enable").put("type", "[QMPCapability]").putNull("default");
        ObjectNode cap = f.objectNode().put("name", "QMPCapability").put("meta-type", "enum");
        cap.putArray("members").addObject().put("name", "oob");
        cap.putArray("values").add("oob");
        ObjectNode list = f.objectNode().put("name", "[QMPCapability]").put("meta-type", "array").put("element-type", "QMPCapability");
        return new QmpSchema("q_obj_qmp_capabilities-arg", "0", List.of(arg, cap, list));
    }
}
