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

    /** BlockExportOptionsNbd as read: every member, type-checked. */
    private record Args(String name, String description, boolean depth, List<JsonNode> bitmaps) {
        static Args read(io.jsd.options.Options o, String defaultName) {
            return new Args(o.string("name", defaultName), o.optString("description").orElse(null),
                    o.bool("allocation-depth", false), o.list("bitmaps"));
        }
    }

    @Override
    public boolean readOptions(io.jsd.options.Options options) {
        Args.read(options, "");
        return true;
    }

    @Override
    public Export create(ExportContext ctx) throws Exception {
        Args a = Args.read(ctx.options(), ctx.node().nodeName());
        String name = a.name(), description = a.description();
        boolean depth = a.depth();
        NbdServer server = service.current();
        if (server == null) throw QmpException.generic("NBD server not running");
        // qemu's nbd_export_create order: the name, the description, a name in use, then the bitmaps
        if (name.getBytes(StandardCharsets.UTF_8).length > Nbd.MAX_STRING) {
            throw QmpException.generic("export name '" + name + "' too long");
        }
        if (description != null && description.getBytes(StandardCharsets.UTF_8).length > Nbd.MAX_STRING) {
            throw QmpException.generic("description '" + description + "' too long");
        }
        if (server.export(name) != null) {
            throw QmpException.generic("NBD server already has export named '" + name + "'");
        }
        if (!a.bitmaps().isEmpty()) {
            JsonNode b = a.bitmaps().get(0);
            String bn = b.isObject() ? b.path("name").asText() : b.asText();
            throw QmpException.generic("Bitmap '" + bn + "' is not found");
        }
        NbdExport e = new NbdExport(server, ctx.id(), name, description, ctx.node(), ctx.writable(),
                ctx.writethrough(), depth);
        if (!server.addExport(e)) throw QmpException.generic("NBD server already has export named '" + name + "'");
        return e;
    }

    @Override
    public io.jsd.options.OptionsSchema optionsSchema() { return NbdSchema.EXPORT; }
}
