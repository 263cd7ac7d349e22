package io.jsd.qmp;

import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.options.Options;

/** Runs commands by name (the monitor and the command line both go through here). */
@ProviderType
public interface QmpDispatcher {
    JsonNode dispatch(String command, Options args, QmpSession session) throws QmpException;

    /**
     * query-qmp-schema's SchemaInfo list for what is installed right now: every command, its types
     * (with blockdev-add / blockdev-create / block-export-add / object-add branches of the installed
     * drivers, export types and object types), every event and the builtin types.
     */
    com.fasterxml.jackson.databind.node.ArrayNode introspect();

    /** Names of the commands installed right now. */
    Set<String> commands();
}
