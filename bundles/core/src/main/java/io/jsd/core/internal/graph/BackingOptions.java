package io.jsd.core.internal.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockException;
import java.util.Map;
import java.util.Set;

/**
 * The options a backing file named in an image header opens with, built as qemu's
 * bdrv_open_backing_file / bdrv_open_inherit / bdrv_fill_options build them: the header's format
 * as "driver", the options of a "json:{...}" name, and a filename handed to the protocol driver
 * its prefix names ("file:", "null-co://", ...) or, for a format, to a "file" child.
 */
final class BackingOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Drivers that take a "filename" themselves (qemu's protocol drivers); formats take a "file" child. */
    private static final Set<String> PROTOCOL_DRIVERS = Set.of("file", "host_device", "host_cdrom", "null-co", "null-aio",
            "nbd", "nvme", "nfs", "ssh", "http", "https", "ftp", "ftps", "iscsi", "gluster", "rbd", "blkdebug", "blkverify");

    /** qemu's protocol prefixes and the driver each selects (bdrv_find_protocol). */
    private static final Map<String, String> PROTOCOLS = Map.ofEntries(
            Map.entry("file", "file"), Map.entry("host_device", "host_device"), Map.entry("host_cdrom", "host_cdrom"),
            Map.entry("null-co", "null-co"), Map.entry("null-aio", "null-aio"),
            Map.entry("nbd", "nbd"), Map.entry("nbd+tcp", "nbd"), Map.entry("nbd+unix", "nbd"));

    private BackingOptions() {}

    static boolean isProtocolDriver(String driver) { return PROTOCOL_DRIVERS.contains(driver); }

    /**
     * The options for {@code name} (already made absolute) in {@code format} (null: probe later);
     * the result has no "driver" only when the format must be probed from its "file".
     */
    static ObjectNode forHeader(String name, String format, java.util.function.Predicate<String> installed) throws BlockException {
        ObjectNode opts = JsonNodeFactory.instance.objectNode();
        if (format != null && !format.isEmpty()) {
            if (!installed.test(format)) throw BlockException.invalid("Unknown driver '" + format + "'");
            opts.put("driver", format);
        }
        String filename = name;
        if (name.startsWith("json:")) {
            // options given by the header's format win over the json: ones (qdict_join without overwrite)
            parseJson(name).properties().forEach(e -> {
                if (!opts.has(e.getKey())) opts.set(e.getKey(), e.getValue());
            });
            filename = null;
        }
        String driver = opts.path("driver").asText(null);
        if (filename == null) return opts;
        if (driver != null && isProtocolDriver(driver)) {
            opts.setAll(protocolFilename(driver, filename));
        } else if (!opts.has("file")) {
            opts.set("file", forFilename(filename, installed));
        }
        return opts;
    }

    /** A protocol node's options for a plain filename: its prefix picks the driver, else "file". */
    static ObjectNode forFilename(String filename, java.util.function.Predicate<String> installed) throws BlockException {
        String driver = "file";
        if (QemuPaths.hasProtocol(filename)) {
            String p = QemuPaths.protocol(filename);
            driver = PROTOCOLS.get(p);
            if (driver == null || !installed.test(driver)) throw BlockException.invalid("Unknown protocol '" + p + "'");
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("driver", driver);
        o.setAll(protocolFilename(driver, filename));
        return o;
    }

    /** What a protocol driver's bdrv_parse_filename makes of a filename. */
    private static ObjectNode protocolFilename(String driver, String filename) throws BlockException {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        switch (driver) {
            case "null-co", "null-aio" -> {
                String only = driver + "://";
                if (!filename.equals(only)) {
                    throw BlockException.invalid("The only allowed filename for this driver is '" + only + "'");
                }
            }
            case "file", "host_device", "host_cdrom" ->
                    o.put("filename", filename.startsWith(driver + ":") ? filename.substring(driver.length() + 1) : filename);
            default -> o.put("filename", filename);
        }
        return o;
    }

    /** qemu's parse_json_filename; dotted keys ("file.filename") become nested objects. */
    static ObjectNode parseJson(String name) throws BlockException {
        JsonNode n;
        try {
            n = JSON.readTree(name.substring("json:".length()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw BlockException.invalid("Could not parse the JSON options: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw BlockException.invalid("Invalid JSON object given");
        return nest((ObjectNode) n);
    }

    private static ObjectNode nest(ObjectNode flat) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (var e : flat.properties()) {
            JsonNode v = e.getValue().isObject() ? nest((ObjectNode) e.getValue()) : e.getValue();
            String[] path = e.getKey().split("\\.");
            ObjectNode at = out;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode next = at.get(path[i]);
                at = next instanceof ObjectNode obj ? obj : at.putObject(path[i]);
            }
            JsonNode old = at.get(path[path.length - 1]);
            if (old instanceof ObjectNode o && v instanceof ObjectNode n) o.setAll(n);
            else at.set(path[path.length - 1], v);
        }
        return out;
    }

    /** The local file a backing's options end in (through "file" children), for cycle checks; null if none. */
    static String localFile(ObjectNode opts) {
        JsonNode at = opts;
        while (at.path("file").isObject()) at = at.get("file");
        String driver = at.path("driver").asText("file");
        return at.path("filename").isTextual() && (driver.equals("file") || driver.equals("host_device"))
                ? at.get("filename").asText() : null;
    }
}
