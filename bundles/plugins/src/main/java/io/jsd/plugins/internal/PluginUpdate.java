package io.jsd.plugins.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSchema;
import io.jsd.qmp.QmpSession;

/**
 * x-jsd-plugin-update {"name": SYMBOLIC-NAME, "path"?: JAR}: hot upgrade. Without "path" the plugin
 * is reloaded from its jar in bundles/; with it, from that jar (which must carry the same symbolic
 * name). A jar given by "path" is not copied into bundles/: the next daemon start loads bundles/ again.
 */
@Component
@QmpCommandName("x-jsd-plugin-update")
public final class PluginUpdate implements QmpCommand {
    @Reference
    private PluginManager manager;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws QmpException {
        String name = args.string("name");
        Optional<String> path = args.optString("path");
        try {
            Bundle b = manager.require(name);
            String why = manager.refusal(b, PluginManager.Op.UPDATE);
            if (why != null) throw new PluginException(why);
            Path jar = path.isPresent() ? Path.of(path.get()).toAbsolutePath()
                    : manager.fileOf(b).orElseThrow(() -> new PluginException("Plugin '" + name
                            + "' was not installed from a jar in the bundles folder; give \"path\""));
            JarSnapshot s;
            try {
                s = JarSnapshot.read(jar);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new PluginException("Cannot read " + jar + ": No such file", e);
            } catch (IOException e) {
                throw new PluginException("Cannot read " + jar + ": " + e.getMessage(), e);
            }
            manager.update(b, s);
        } catch (PluginException e) {
            throw QmpException.generic(e.getMessage());
        }
        return null;
    }

    @Override
    public QmpSchema schema() { return Schemas.update(); }
}
