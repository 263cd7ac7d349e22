package io.jsd.qmp.control.internal;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/** object-add: {"qom-type": T, "id": I, ...T's properties} (--object runs it too). */
@Component
@QmpCommandName("object-add")
public final class ObjectAdd implements QmpCommand {
    @Reference
    private ObjectRegistry objects;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        objects.add(args);
        return null;
    }

    @Override
    public QmpSchema schema() {
        return new QmpSchema("ObjectOptions", "0", List.of());
    }
}
