package io.jsd.nbd.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.export.ExportRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;
import io.jsd.qmp.QmpSchema;

/** nbd-server-remove (deprecated in qemu, still in QSD 10): block-export-del of an NBD export. */
@Component
@QmpCommandName("nbd-server-remove")
public class NbdServerRemove implements QmpCommand {
    @Reference
    NbdService service;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ExportRegistry registry;

    public NbdServerRemove() {}

    NbdServerRemove(NbdService service, ExportRegistry registry) {
        this.service = service;
        this.registry = registry;
    }

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        String name = args.string("name");
        String mode = args.choice("mode", "safe", "safe", "hard");
        NbdServer s = service.current();
        boolean nbd = false;
        if (s != null) {
            for (NbdExport e : s.exports()) nbd |= e.id.equals(name);
        }
        ExportRegistry reg = registry;
        boolean exists = nbd || (reg != null && reg.describe().stream().anyMatch(o -> name.equals(o.path("id").asText())));
        if (!exists) throw QmpException.generic("Export '" + name + "' is not found");
        if (!nbd) throw QmpException.generic("Export '" + name + "' is not an NBD export");
        if (reg == null) throw QmpException.generic("block exports are not available");
        reg.delete(name, mode.equals("hard"));
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("nbd-server-remove", "name:str", "mode?:BlockExportRemoveMode"), "0");
    }
}
