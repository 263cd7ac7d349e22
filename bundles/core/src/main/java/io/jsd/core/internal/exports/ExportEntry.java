package io.jsd.core.internal.exports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.export.Export;
import io.jsd.qmp.QmpSession;

/** One export as core keeps it: the options it was created from and the running export, if any. */
final class ExportEntry {
    final String id;
    final String type;
    final String nodeName;
    final ObjectNode options;
    final boolean keyval;
    final QmpSession session;
    /** Releases the node ("Node x is in use" while held). */
    AutoCloseable use;
    /** The running export; null while its driver is not installed. */
    volatile Export export;
    volatile boolean shuttingDown;

    ExportEntry(String id, String type, String nodeName, ObjectNode options, boolean keyval, QmpSession session) {
        this.id = id;
        this.type = type;
        this.nodeName = nodeName;
        this.options = options;
        this.keyval = keyval;
        this.session = session;
    }
}
