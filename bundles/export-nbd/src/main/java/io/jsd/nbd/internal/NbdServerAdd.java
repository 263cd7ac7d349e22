package io.jsd.nbd.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockGraph;
import io.jsd.block.NodeHandle;
import io.jsd.export.ExportRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;
import io.jsd.qmp.QmpSchema;

/**
 * nbd-server-add (deprecated in qemu, still accepted by QSD 10): block-export-add type=nbd with
 * id = name, except that a read-only node is quietly exported read-only.
 */
@Component
@QmpCommandName("nbd-server-add")
public class NbdServerAdd implements QmpCommand {
    @Reference
    NbdService service;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ExportRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile BlockGraph graph;

    public NbdServerAdd() {}

    NbdServerAdd(NbdService service, ExportRegistry registry, BlockGraph graph) {
        this.service = service;
        this.registry = registry;
        this.graph = graph;
    }

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        String device = args.string("device");
        String name = args.string("name", device);
        String description = args.optString("description").orElse(null);
        boolean writable = args.bool("writable", false);
        String bitmap = args.optString("bitmap").orElse(null);
        if (service.current() == null) throw QmpException.generic("NBD server not running");
        ExportRegistry reg = registry;
        if (reg == null) throw QmpException.generic("block exports are not available");
        BlockGraph g = graph;
        if (g != null) {
            NodeHandle h = g.require(device);
            if (h.readOnly()) writable = false;
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "nbd").put("id", name).put("node-name", device).put("writable", writable).put("name", name);
        if (description != null) o.put("description", description);
        if (bitmap != null) o.putArray("bitmaps").add(bitmap);
        reg.add(Options.of(o), session);
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("nbd-server-add", "name?:str", "description?:str", "device:str", "writable?:bool",
                "bitmap?:str"), "0");
    }
}
