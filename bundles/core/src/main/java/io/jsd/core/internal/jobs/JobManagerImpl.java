package io.jsd.core.internal.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.job.JobBody;
import io.jsd.job.JobManager;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpException;

/**
 * Core's job manager: qemu's job state machine (job.c) as data — {@link JobStatus} holds the
 * transition table, {@link JobVerb} which statuses accept which verb — and every status change is a
 * JOB_STATUS_CHANGE event. Each job body runs on its own virtual thread.
 */
@Component(service = JobManager.class)
public class JobManagerImpl implements JobManager {
    private final Map<String, Job> jobs = new LinkedHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile QmpEvents events;

    public JobManagerImpl() {}

    /** For tests and for use outside DS. */
    public JobManagerImpl(QmpEvents events) { this.events = events; }

    @Override
    public void start(String id, String type, boolean autoFinalize, boolean autoDismiss, JobBody body) throws Exception {
        Job j;
        synchronized (this) {
            if (id == null || id.isEmpty() || !Character.isLetter(id.charAt(0))) {
                throw QmpException.generic("Invalid job ID '" + id + "'");
            }
            if (jobs.containsKey(id)) throw QmpException.generic("Job ID '" + id + "' already in use");
            j = new Job(this, id, type, autoFinalize, autoDismiss, body);
            jobs.put(id, j);
            transition(j, JobStatus.CREATED);
        }
        Thread.ofVirtual().name("job-" + id).start(() -> run(j));
    }

    private void run(Job j) {
        synchronized (this) {
            if (j.cancelRequested) {
                finishAborted(j, null);
                return;
            }
            transition(j, JobStatus.RUNNING);
        }
        String err = null;
        try {
            j.body.run(j);
        } catch (InterruptedException e) {
            err = null;
        } catch (Throwable t) {
            err = t.getMessage() != null ? t.getMessage() : t.toString();
        }
        synchronized (this) {
            if (j.status == JobStatus.PAUSED) transition(j, JobStatus.RUNNING);
            if (j.status == JobStatus.STANDBY) transition(j, JobStatus.READY);
            if (j.cancelRequested || err != null) {
                finishAborted(j, err);
            } else {
                transition(j, JobStatus.WAITING);
                transition(j, JobStatus.PENDING);
                if (j.autoFinalize) conclude(j);
            }
            notifyAll();
        }
    }

    private void finishAborted(Job j, String err) {
        // qemu reports a cancelled job's error as strerror(ECANCELED), whatever the body threw on its way out
        if (j.cancelRequested) j.error = "Operation canceled";
        else j.error = err;
        transition(j, JobStatus.ABORTING);
        conclude(j);
    }

    private void conclude(Job j) {
        transition(j, JobStatus.CONCLUDED);
        if (j.autoDismiss) dismissLocked(j);
    }

    private void dismissLocked(Job j) {
        transition(j, JobStatus.NULL);
        jobs.remove(j.id);
    }

    /** Moves a job to {@code to} (a programming error if the table forbids it) and emits the event. */
    void transition(Job j, JobStatus to) {
        if (!j.status.canMoveTo(to)) {
            throw new IllegalStateException("job " + j.id + ": " + j.status + " -> " + to);
        }
        j.status = to;
        QmpEvents ev = events;
        if (ev != null) {
            ObjectNode d = JsonNodeFactory.instance.objectNode();
            d.put("status", to.qapiName());
            d.put("id", j.id);
            ev.emit("JOB_STATUS_CHANGE", d);
        }
        notifyAll();
    }

    private Job find(String id, JobVerb verb) throws QmpException {
        Job j = jobs.get(id);
        if (j == null) throw QmpException.generic("Job not found");
        if (!verb.allowedIn(j.status)) {
            throw QmpException.generic("Job '" + id + "' in state '" + j.status.qapiName()
                    + "' cannot accept command verb '" + verb.qapiName() + "'");
        }
        return j;
    }

    @Override
    public synchronized void cancel(String id, boolean force) throws Exception {
        Job j = find(id, JobVerb.CANCEL);
        j.cancelRequested = true;
        if (j.status == JobStatus.PENDING) finishAborted(j, null);
        notifyAll();
    }

    @Override
    public synchronized void pause(String id) throws Exception {
        Job j = find(id, JobVerb.PAUSE);
        j.pauseCount++;
        if (j.status == JobStatus.RUNNING) transition(j, JobStatus.PAUSED);
        else if (j.status == JobStatus.READY) transition(j, JobStatus.STANDBY);
    }

    @Override
    public synchronized void resume(String id) throws Exception {
        Job j = find(id, JobVerb.RESUME);
        if (j.pauseCount == 0) throw QmpException.generic("Can't resume a job that was not paused");
        if (--j.pauseCount == 0) {
            if (j.status == JobStatus.PAUSED) transition(j, JobStatus.RUNNING);
            else if (j.status == JobStatus.STANDBY) transition(j, JobStatus.READY);
        }
        notifyAll();
    }

    @Override
    public synchronized void complete(String id) throws Exception {
        Job j = find(id, JobVerb.COMPLETE);
        j.completeRequested = true;
        notifyAll();
    }

    @Override
    public synchronized void finalizeJob(String id) throws Exception {
        Job j = find(id, JobVerb.FINALIZE);
        conclude(j);
    }

    @Override
    public synchronized void dismiss(String id) throws Exception {
        Job j = find(id, JobVerb.DISMISS);
        dismissLocked(j);
    }

    @Override
    public synchronized List<ObjectNode> describe() {
        List<ObjectNode> out = new ArrayList<>();
        for (Job j : jobs.values()) out.add(j.describe());
        return out;
    }

    /** Waits until job {@code id} has left the given status set or disappeared (tests). */
    synchronized void awaitStatus(String id, JobStatus want, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (true) {
            Job j = jobs.get(id);
            if ((j == null && want == JobStatus.NULL) || (j != null && j.status == want)) return;
            long left = end - System.currentTimeMillis();
            if (left <= 0) return;
            wait(left);
        }
    }
}
