package io.jsd.core.internal.cli;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;

/**
 * qemu's older QemuOpts syntax (--chardev, --monitor): flat {@code [implied=]value,key=value};
 * a bare {@code key} means key=on and {@code nokey} key=off; unknown keys are "Invalid parameter".
 */
final class QemuOpts {
    private QemuOpts() {}

    static ObjectNode parse(String text, String impliedKey, Set<String> allowed) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        List<String> parts = Keyval.split(text);
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            int eq = part.indexOf('=');
            String key, value;
            if (eq >= 0) {
                key = part.substring(0, eq);
                value = part.substring(eq + 1);
            } else if (i == 0 && impliedKey != null) {
                key = impliedKey;
                value = part;
            } else if (part.startsWith("no") && allowed.contains(part.substring(2))) {
                key = part.substring(2);
                value = "off";
            } else {
                key = part;
                value = "on";
            }
            if (!allowed.contains(key)) throw new OptionException("Invalid parameter '" + key + "'");
            o.put(key, value);
        }
        return o;
    }
}
