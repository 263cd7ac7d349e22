package io.jsd.export;

import org.osgi.annotation.versioning.ProviderType;

import io.jsd.block.NodeHandle;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpSession;

/** What core hands {@link ExportDriver#create}. */
@ProviderType
public interface ExportContext {
    String id();

    /** The exported node; do I/O on {@code node().io()}. */
    NodeHandle node();

    /** The type-specific options (the common ones — id, node-name, writable, ... — are already consumed). */
    Options options();

    boolean writable();

    /** writethrough=on: every write is followed by a flush before it completes. */
    boolean writethrough();

    /** The iothread option, if given (JSD runs every export multi-threaded regardless). */
    String iothread();

    QmpEvents events();

    /** The session that asked for this export (to take a passed fd for addr.type=fd). */
    QmpSession session();
}
