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

/** job-dismiss: the state machine in core decides whether the job accepts it. */
@Component
@QmpCommandName("job-dismiss")
public class JobDismiss implements QmpCommand {
    @Reference private JobManager jobs;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws Exception {
        jobs.dismiss(args.string("id"));
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.of(QmpSchema.args("job-dismiss", "id:str"), "0");
    }
}
