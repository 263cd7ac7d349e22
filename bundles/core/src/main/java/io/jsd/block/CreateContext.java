package io.jsd.block;

import org.osgi.annotation.versioning.ProviderType;

import io.jsd.objects.ObjectRegistry;

/** What core hands {@link BlockDriver#create}. */
@ProviderType
public interface CreateContext {
    /** The graph, to find the node a format is created on (qcow2's "file" option names a node). */
    BlockGraph graph();

    ObjectRegistry objects();

    /** Reports job progress: {@code current} of {@code total} units done. */
    void progress(long current, long total);
}
