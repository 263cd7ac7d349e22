package io.jsd.core.internal.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.job.JobBody;
import io.jsd.job.JobControl;

/** One job; every field is guarded by the manager's monitor. */
final class Job implements JobControl {
    final String id;
    final String type;
    final boolean autoFinalize;
    final boolean autoDismiss;
    final JobBody body;
    private final JobManagerImpl mgr;

    JobStatus status = JobStatus.UNDEFINED;
    long current, total;
    String error;
    boolean cancelRequested;
    boolean completeRequested;
    int pauseCount;

    Job(JobManagerImpl mgr, String id, String type, boolean autoFinalize, boolean autoDismiss, JobBody body) {
        this.mgr = mgr;
        this.id = id;
        this.type = type;
        this.autoFinalize = autoFinalize;
        this.autoDismiss = autoDismiss;
        this.body = body;
    }

    @Override public String id() { return id; }

    @Override
    public void progress(long cur, long tot) {
        synchronized (mgr) {
            current = cur;
            total = tot;
        }
    }

    @Override
    public boolean cancelled() {
        synchronized (mgr) {
            return cancelRequested;
        }
    }

    @Override
    public void pausePoint() throws InterruptedException {
        synchronized (mgr) {
            while (pauseCount > 0 && !cancelRequested) mgr.wait();
            if (cancelRequested) throw new InterruptedException("Job '" + id + "' cancelled");
        }
    }

    @Override
    public boolean awaitComplete() throws InterruptedException {
        synchronized (mgr) {
            if (status == JobStatus.RUNNING) mgr.transition(this, JobStatus.READY);
            while (!completeRequested && !cancelRequested) mgr.wait();
            if (status == JobStatus.READY || status == JobStatus.STANDBY) {
                if (status == JobStatus.STANDBY) mgr.transition(this, JobStatus.READY);
                if (completeRequested && !cancelRequested) {
                    return true;
                }
            }
            return false;
        }
    }

    ObjectNode describe() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("type", type);
        o.put("status", status.qapiName());
        o.put("current-progress", current);
        o.put("total-progress", total);
        if (error != null) o.put("error", error);
        return o;
    }
}
