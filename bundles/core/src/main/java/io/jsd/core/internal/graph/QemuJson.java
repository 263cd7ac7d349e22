package io.jsd.core.internal.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as qemu prints a QDict (for "json:{...}" filenames): ", " and ": "
 * separators, and keys in QDict iteration order — by hash bucket (tdb_hash modulo 512), and
 * within a bucket the most recently inserted first.
 */
final class QemuJson {
    private static final int BUCKETS = 512;

    private QemuJson() {}

    static String write(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        write(n, sb);
        return sb.toString();
    }

    private static void write(JsonNode n, StringBuilder sb) {
        if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(n.properties());
            List<Integer> index = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) index.add(i);
            index.sort(Comparator.<Integer>comparingInt(i -> bucket(entries.get(i).getKey())).thenComparing(Comparator.reverseOrder()));
            sb.append('{');
            String sep = "";
            for (int i : index) {
                sb.append(sep);
                sep = ", ";
                sb.append(TextNode.valueOf(entries.get(i).getKey())).append(": ");
                write(entries.get(i).getValue(), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            String sep = "";
            for (JsonNode e : n) {
                sb.append(sep);
                sep = ", ";
                write(e, sb);
            }
            sb.append(']');
        } else {
            sb.append(n.toString());
        }
    }

    /** qemu's tdb_hash (util/qdict.c) reduced to a bucket. */
    static int bucket(String key) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        int value = 0x238F13AF * b.length;
        for (int i = 0; i < b.length; i++) value += (b[i] & 0xff) << (i * 5 % 24);
        int h = 1103515243 * value + 12345;
        return Integer.remainderUnsigned(h, BUCKETS);
    }
}
