package io.jsd.qmpjobs.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.job.JobManager;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSession;
import io.jsd.qmp.QmpSchema;

/** job-complete: the state machine in core decides whether the job accepts it. */
@Component
@QmpCommandName("job-complete")
public class JobComplete implements QmpCommand {
    @Reference private JobManager jobs;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        jobs.complete(args.string("id"));
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("job-complete", "id:str"), "0");
    }
}
