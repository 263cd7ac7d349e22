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
     * Runs the command. The dispatcher has checked {@code args} against {@link #schema()} (names,
     * types, required members, enum values) before, so nothing runs on a bad argument. Return the "return" value ({@code null} means {@code {}}). Throw {@link QmpException}
     * for a QMP error; {@link io.jsd.block.BlockException} and
     * {@link io.jsd.options.OptionException} become GenericError with their message.
     */
    JsonNode execute(Options args, QmpSession session) throws Exception;

    /**
     * This command's argument and return types, declared in qemu's shapes: the dispatcher checks
     * arguments against it before {@link #execute} and query-qmp-schema lists it. A command without
     * arguments says so with {@link QmpSchema#NO_ARGS} or {@link QmpSchema#returning}.
     */
    QmpSchema schema();

    /**
     * The argument type when the command line runs this command, where QSD's option differs from the
     * QMP command (--nbd-server takes NbdServerOptions with a flat SocketAddress, nbd-server-start
     * the legacy one). Default: {@link #schema()}.
     */
    default QmpSchema commandLineSchema() { return schema(); }
}
