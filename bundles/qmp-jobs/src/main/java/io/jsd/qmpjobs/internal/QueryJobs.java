package io.jsd.qmpjobs.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.jsd.job.JobManager;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSession;
import io.jsd.qmp.QmpSchema;
import io.jsd.options.QapiType;

/** query-jobs: every job with id, type, status, progress and error. */
@Component
@QmpCommandName("query-jobs")
public class QueryJobs implements QmpCommand {
    @Reference private JobManager jobs;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        jobs.describe().forEach(a::add);
        return a;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.returning("[JobInfo]", QapiType.struct("JobInfo", "id:str", "type:JobType", "status:JobStatus",
                "current-progress:int", "total-progress:int", "error?:str"));
    }
}
