package io.jsd.qmp.block.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsd.export.ExportRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** block-export-add: core's export registry checks the common options, the export type the rest. */
@Component
@QmpCommandName("block-export-add")
public final class BlockExportAdd implements QmpCommand {
    @Reference ExportRegistry exports;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        exports.add(args, session);
        return null;
    }

    @Override
    public QmpSchema schema() {
        return new QmpSchema("BlockExportOptions", "0", List.of());
    }
}
