package io.jsd.qcow2.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockException;
import io.jsd.block.CreateContext;

/** blockdev-create for qcow2. */
final class Qcow2Create {
    private Qcow2Create() {}

    static void create(ObjectNode options, CreateContext ctx) throws BlockException {
        throw BlockException.unsupported("not yet");
    }
}
