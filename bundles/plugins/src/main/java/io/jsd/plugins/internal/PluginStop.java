package io.jsd.plugins.internal;

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
 * x-jsd-plugin-stop {"name": SYMBOLIC-NAME}: stops a plugin; what it provided goes away (core
 * closes the nodes / exports using it until it is started again). Stopping a stopped plugin is a no-op.
 */
@Component
@QmpCommandName("x-jsd-plugin-stop")
public final class PluginStop implements QmpCommand {
    @Reference
    private PluginManager manager;

    @Override
    public JsonNode execute(Options args, QmpSession session) throws QmpException {
        String name = args.string("name");
        try {
            manager.stop(manager.require(name));
        } catch (PluginException e) {
            throw QmpException.generic(e.getMessage());
        }
        return null;
    }

    @Override
    public QmpSchema schema() { return Schemas.byName("x-jsd-plugin-stop"); }
}
