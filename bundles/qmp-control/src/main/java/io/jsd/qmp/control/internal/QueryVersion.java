package io.jsd.qmp.control.internal;

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
import io.jsd.options.QapiType;

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
        return QmpSchema.returning("VersionInfo", QapiType.struct("VersionInfo", "qemu:VersionTriple", "package:str"),
                QapiType.struct("VersionTriple", "major:int", "minor:int", "micro:int"));
    }
}
