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

/** nbd-server-stop: like QSD, it also deletes every NBD export (each emits BLOCK_EXPORT_DELETED). */
@Component
@QmpCommandName("nbd-server-stop")
public class NbdServerStop implements QmpCommand {
    @Reference
    NbdService service;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ExportRegistry registry;

    public NbdServerStop() {}

    NbdServerStop(NbdService service, ExportRegistry registry) {
        this.service = service;
        this.registry = registry;
    }

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        NbdServer s = service.current();
        if (s == null) throw QmpException.generic("NBD server not running");
        ExportRegistry reg = registry;
        for (NbdExport e : s.exports()) {
            if (reg != null) {
                try {
                    reg.delete(e.id, true);
                } catch (Exception ex) {
                    e.close(true);
                }
            } else {
                e.close(true);
            }
        }
        s = service.detach();
        if (s != null) s.stop();
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.NO_ARGS;
    }
}
