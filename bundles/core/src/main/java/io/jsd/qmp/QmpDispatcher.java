package io.jsd.qmp;

import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.options.Options;

/** Runs commands by name (the monitor and the command line both go through here). */
@ProviderType
public interface QmpDispatcher {
    JsonNode dispatch(String command, Options args, QmpSession session) throws QmpException;

    /** Names of the commands installed right now. */
    Set<String> commands();
}
