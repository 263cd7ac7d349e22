package io.jsd.nbd.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;
import io.jsd.qmp.QmpSchema;

/** nbd-server-start (and the command line's --nbd-server). */
@Component
@QmpCommandName("nbd-server-start")
public class NbdServerStart implements QmpCommand {
    @Reference
    NbdService service;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ObjectRegistry objects;

    public NbdServerStart() {}

    NbdServerStart(NbdService service, ObjectRegistry objects) {
        this.service = service;
        this.objects = objects;
    }

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        // QSD's order: the arguments (QAPI), the running server, then the address and TLS objects
        ServerOptions.Args a = ServerOptions.read(args);
        if (service.current() != null) throw QmpException.generic("NBD server already running");
        ServerConfig cfg = ServerOptions.resolve(a, objects);
        try {
            service.start(cfg);
            service.remember(args);
        } catch (IOException e) {
            if (cfg.fd() >= 0) throw QmpException.generic("Failed to use socket fd " + cfg.fd() + ": " + e.getMessage());
            String where = cfg.unixPath() != null ? "unix:" + cfg.unixPath() : String.valueOf(cfg.address());
            throw QmpException.generic("Failed to bind socket " + where + ": " + e.getMessage());
        }
        return null;
    }

    @Override
    public QmpSchema schema() {
        return NbdSchema.START;
    }

    @Override
    public QmpSchema commandLineSchema() { return NbdSchema.COMMAND_LINE; }
}
