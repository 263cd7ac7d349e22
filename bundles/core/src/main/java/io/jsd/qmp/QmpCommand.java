package io.jsd.qmp;

import org.osgi.annotation.versioning.ConsumerType;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.options.Options;

/**
 * One QMP command, registered as a DS component with {@link QmpCommandName}. The monitor finds it by
 * name; query-commands lists the installed ones. The command line's --blockdev, --export,
 * --nbd-server and --object run the matching command with key=value arguments.
 */
@ConsumerType
public interface QmpCommand {
    String NAME_PROPERTY = "jsd.qmp.command.name";

    /**
     * Runs the command. Read arguments through {@code args}; the dispatcher rejects arguments nobody
     * read. Return the "return" value ({@code null} means {@code {}}). Throw {@link QmpException}
     * for a QMP error; {@link io.jsd.block.BlockException} and
     * {@link io.jsd.options.OptionException} become GenericError with their message.
     */
    JsonNode execute(Options args, QmpSession session) throws Exception;

    /**
     * This command's entry for query-qmp-schema: an object with "arg-type" and "ret-type" names and
     * the object types they refer to. Default: no arguments, returns an empty object.
     */
    default QmpSchema schema() { return QmpSchema.NO_ARGS; }
}
