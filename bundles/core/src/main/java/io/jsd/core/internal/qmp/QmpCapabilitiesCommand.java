package io.jsd.core.internal.qmp;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.Options;
import io.jsd.options.QapiType;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * qmp_capabilities as the dispatcher sees it: the monitor itself handles it in negotiation mode,
 * so reaching this means negotiation is over (the arguments are still checked first, as in QSD).
 * Registered so query-commands and the schema list it.
 */
@Component
@QmpCommandName("qmp_capabilities")
public final class QmpCapabilitiesCommand implements QmpCommand {
    private static final QmpSchema SCHEMA = QmpSchema.of(QmpSchema.args("qmp_capabilities", "enable?:[QMPCapability]"), "0",
            QapiType.enumeration("QMPCapability", "oob"));

    @Override
    public JsonNode execute(Options args, QmpSession session) throws QmpException {
        throw new QmpException(QmpException.COMMAND_NOT_FOUND, "Capabilities negotiation is already complete, command ignored");
    }

    /** Checks negotiation-mode arguments (the monitor handles qmp_capabilities itself there). */
    static void check(ObjectNode args) {
        new ArgsChecker(new TypeSet().addAll(SCHEMA.types()), false).check(args, SCHEMA.argType());
    }

    @Override
    public QmpSchema schema() { return SCHEMA; }
}
