package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsd.export.ExportRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** block-export-del: mode=safe (default) refuses an export with clients, mode=hard drops them. */
@Component
@QmpCommandName("block-export-del")
public final class BlockExportDel implements QmpCommand {
    @Reference ExportRegistry exports;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        String id = args.string("id");
        String mode = args.choice("mode", "safe", "safe", "hard");
        exports.delete(id, mode.equals("hard"));
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("block-export-del", "id:str", "mode?:BlockExportRemoveMode"), "0");
    }
}
