package io.jsd.qmpjobs.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockGraph;
import io.jsd.block.CreateContext;
import io.jsd.job.JobManager;
import io.jsd.objects.ObjectRegistry;
import io.jsd.options.OptionException;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;
import io.jsd.qmp.QmpSchema;

/**
 * blockdev-create: a "create" job that runs the named driver's create. As in qemu the job must be
 * dismissed by the user (auto-finalize on, auto-dismiss off).
 */
@Component
@QmpCommandName("blockdev-create")
public class BlockdevCreate implements QmpCommand {
    @Reference private JobManager jobs;
    @Reference private BlockGraph graph;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ObjectRegistry objects;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        String id = args.string("job-id");
        JsonNode o = args.raw("options");
        if (o == null || o.isNull()) throw args.missing("options");
        if (!o.isObject()) throw new OptionException("Invalid parameter type for 'options', expected: object");
        ObjectNode opts = ((ObjectNode) o).deepCopy();
        JsonNode d = opts.remove("driver");
        if (d == null) throw new OptionException("Parameter 'options.driver' is missing");
        BlockDriver driver = graph.driver(d.asText())
                .orElseThrow(() -> QmpException.generic("Invalid parameter '" + d.asText() + "'"));
        jobs.start(id, "create", true, false, control -> driver.create(opts, new CreateContext() {
            @Override public BlockGraph graph() { return graph; }
            @Override public ObjectRegistry objects() { return objects; }
            @Override public void progress(long current, long total) { control.progress(current, total); }
        }));
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("blockdev-create", "job-id:str", "options:BlockdevCreateOptions"), "0");
    }
}
