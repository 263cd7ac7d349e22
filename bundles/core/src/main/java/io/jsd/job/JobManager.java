package io.jsd.job;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Core's jobs: the state machine (created, running, paused, ready, waiting, pending, aborting, concluded, null). */
@ProviderType
public interface JobManager {
    /** Starts a job of {@code type} ("create", "mirror", ...) with the given id. */
    void start(String id, String type, boolean autoFinalize, boolean autoDismiss, JobBody body) throws Exception;

    void cancel(String id, boolean force) throws Exception;
    void pause(String id) throws Exception;
    void resume(String id) throws Exception;
    void complete(String id) throws Exception;
    void finalizeJob(String id) throws Exception;
    void dismiss(String id) throws Exception;

    /** query-jobs entries in qemu's shape. */
    List<ObjectNode> describe();
}
