package io.jsd.plugins.internal;

import java.util.Comparator;
import java.util.TreeSet;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockDriver;
import io.jsd.export.ExportDriver;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * x-jsd-query-plugins: every installed bundle with its state, where it came from, whether the
 * manager protects it, and what it provides right now (block drivers, export types, QMP commands).
 */
@Component
@QmpCommandName("x-jsd-query-plugins")
public final class QueryPlugins implements QmpCommand {
    @Reference
    private PluginManager manager;

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        var bundles = manager.bundles();
        bundles.sort(Comparator.comparing((Bundle b) -> String.valueOf(b.getSymbolicName())).thenComparing(Bundle::getBundleId));
        for (Bundle b : bundles) out.add(describe(b));
        return out;
    }

    private ObjectNode describe(Bundle b) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("symbolic-name", String.valueOf(b.getSymbolicName()));
        o.put("version", b.getVersion().toString());
        o.put("id", b.getBundleId());
        PluginReadiness ready = manager.readiness(b);
        o.put("state", ready.state());
        if (!ready.waiting().isEmpty()) ready.waiting().forEach(o.putArray("waiting-for")::add);
        o.put("location", b.getLocation());
        manager.fileOf(b).ifPresent(f -> o.put("file", f.toString()));
        o.put("protected", manager.refusal(b, PluginManager.Op.STOP) != null || manager.refusal(b, PluginManager.Op.UPDATE) != null);
        TreeSet<String> drivers = new TreeSet<>();
        TreeSet<String> exports = new TreeSet<>();
        TreeSet<String> commands = new TreeSet<>();
        ServiceReference<?>[] refs = b.getRegisteredServices();
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                add(drivers, r.getProperty(BlockDriver.NAME_PROPERTY));
                add(exports, r.getProperty(ExportDriver.TYPE_PROPERTY));
                add(commands, r.getProperty(QmpCommand.NAME_PROPERTY));
            }
        }
        drivers.forEach(o.putArray("block-drivers")::add);
        exports.forEach(o.putArray("export-types")::add);
        commands.forEach(o.putArray("commands")::add);
        return o;
    }

    private static void add(TreeSet<String> set, Object v) {
        if (v != null) set.add(v.toString());
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            case Bundle.UNINSTALLED -> "uninstalled";
            default -> "unknown";
        };
    }

    @Override
    public QmpSchema schema() { return Schemas.query(); }
}
