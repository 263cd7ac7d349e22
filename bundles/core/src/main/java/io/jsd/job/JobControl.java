package io.jsd.job;

import org.osgi.annotation.versioning.ProviderType;

/** A running job's view of itself. */
@ProviderType
public interface JobControl {
    String id();

    void progress(long current, long total);

    /** True once job-cancel was requested; the body should stop soon. */
    boolean cancelled();

    /** Parks while the job is paused; throws when cancelled. Call between units of work. */
    void pausePoint() throws InterruptedException;

    /** Moves the job to READY (mirror-like jobs) and waits for job-complete or cancel; returns true on complete. */
    boolean awaitComplete() throws InterruptedException;
}
