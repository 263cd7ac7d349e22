package io.jsd.qmp.control.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/** object-del: {"id": I}. */
@Component
@QmpCommandName("object-del")
public final class ObjectDel implements QmpCommand {
    @Reference
    private ObjectRegistry objects;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        objects.delete(args.string("id"));
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("object-del", "id:str"), "0");
    }
}
