package io.jsd.job;

import org.osgi.annotation.versioning.ConsumerType;

/** What a job does, written top to bottom; it runs on its own virtual thread. */
@ConsumerType
public interface JobBody {
    /** Does the work; throw to fail the job (the message becomes the job's error). */
    void run(JobControl control) throws Exception;
}
