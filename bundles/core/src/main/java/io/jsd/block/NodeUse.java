package io.jsd.block;

import org.osgi.annotation.versioning.ProviderType;

/** A registered user of a node with the permissions it holds and shares (from {@link NodeHandle#use(String, int, int)}). */
@ProviderType
public interface NodeUse extends AutoCloseable {
    /**
     * This user now holds {@code perm} and shares {@code shared} (a job switching phases, a reopen).
     * The whole graph below the node and the drivers' locks are checked first; on error nothing
     * has changed and the old permissions stay.
     */
    void update(int perm, int shared) throws BlockException;

    /** Releases the user and its permissions. */
    @Override
    void close();
}
