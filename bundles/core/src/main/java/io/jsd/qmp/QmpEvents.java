package io.jsd.qmp;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Emits QMP events to every monitor that has left capabilities-negotiation mode. */
@ProviderType
public interface QmpEvents {
    /** Sends {"event": name, "data": data, "timestamp": {...}}; {@code data} may be null. */
    void emit(String name, ObjectNode data);
}
