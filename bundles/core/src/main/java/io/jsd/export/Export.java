package io.jsd.export;

import org.osgi.annotation.versioning.ConsumerType;

/** A running export, as its driver returns it. */
@ConsumerType
public interface Export {
    /** True while a client is connected (block-export-del mode=safe refuses then). */
    boolean inUse();

    /**
     * Stops serving: no new clients; with {@code force} existing clients are dropped at once,
     * otherwise the call returns when they have finished. Called once.
     */
    void close(boolean force);
}
