package io.jsd.nbd.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.export.Export;
import io.jsd.export.ExportContext;
import io.jsd.export.ExportDriver;
import io.jsd.export.ExportTypeName;
import io.jsd.options.Options;
import io.jsd.qmp.QmpException;

/** The "nbd" export type: name (default: the node name), description, allocation-depth, bitmaps. */
@Component
@ExportTypeName("nbd")
public class NbdExportDriver implements ExportDriver {
    @Reference
    NbdService service;

    public NbdExportDriver() {}

    NbdExportDriver(NbdService service) { this.service = service; }

    @Override
    public Export create(ExportContext ctx) throws Exception {
        Options o = ctx.options();
        String name = o.string("name", ctx.node().nodeName());
        String description = o.optString("description").orElse(null);
        boolean depth = o.bool("allocation-depth", false);
        List<JsonNode> bitmaps = o.list("bitmaps");
        NbdServer server = service.current();
        if (server == null) throw QmpException.generic("NBD server not running");
        if (name.getBytes(StandardCharsets.UTF_8).length > Nbd.MAX_STRING) {
            throw QmpException.generic("export name '" + name + "' too long");
        }
        if (description != null && description.getBytes(StandardCharsets.UTF_8).length > Nbd.MAX_STRING) {
            throw QmpException.generic("description '" + description + "' too long");
        }
        if (!bitmaps.isEmpty()) {
            JsonNode b = bitmaps.get(0);
            String bn = b.isObject() ? b.path("name").asText() : b.asText();
            throw QmpException.generic("Bitmap '" + bn + "' is not found");
        }
        if (server.export(name) != null) {
            throw QmpException.generic("NBD server already has export named '" + name + "'");
        }
        NbdExport e = new NbdExport(server, ctx.id(), name, description, ctx.node(), ctx.writable(),
                ctx.writethrough(), depth);
        if (!server.addExport(e)) throw QmpException.generic("NBD server already has export named '" + name + "'");
        return e;
    }
}
