package io.jsd.core.internal.exports;

import io.jsd.block.NodeHandle;
import io.jsd.export.ExportContext;
import io.jsd.options.Options;
import io.jsd.qmp.QmpEvents;
import io.jsd.qmp.QmpSession;

/** The {@link ExportContext} handed to an export driver. */
record Context(String id, NodeHandle node, Options options, boolean writable, boolean writethrough, String iothread,
               QmpEvents events, QmpSession session) implements ExportContext {}
