package io.jsd.qmp.control.internal;

import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * query-version: qemu's shape; "qemu" is the QSD release whose interface JSD implements (clients
 * gate features on it), "package" names JSD and its version.
 */
@Component
@QmpCommandName("query-version")
public final class QueryVersion implements QmpCommand {
    static final int MAJOR = 10, MINOR = 0, MICRO = 2;

    private final String pkg;

    @Activate
    public QueryVersion(BundleContext context) {
        var v = context.getBundle().getVersion();
        this.pkg = "JSD " + v.getMajor() + "." + v.getMinor() + "." + v.getMicro();
    }

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        ObjectNode v = JsonNodeFactory.instance.objectNode();
        ObjectNode q = v.putObject("qemu");
        q.put("micro", MICRO);
        q.put("minor", MINOR);
        q.put("major", MAJOR);
        v.put("package", pkg);
        return v;
    }

    @Override
    public QmpSchema schema() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode triple = f.objectNode().put("name", "VersionTriple").put("meta-type", "object");
        var tm = triple.putArray("members");
        for (String n : List.of("major", "minor", "micro")) tm.addObject().put("name", n).put("type", "int");
        ObjectNode info = f.objectNode().put("name", "VersionInfo").put("meta-type", "object");
        var im = info.putArray("members");
        im.addObject().put("name", "qemu").put("type", "VersionTriple");
        im.addObject().put("name", "package").put("type", "str");
        return new QmpSchema("0", "VersionInfo", List.of(info, triple));
    }
}
