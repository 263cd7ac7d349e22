package io.jsd.qmp.control.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpCommandName;
import io.jsd.qmp.QmpSession;
import io.jsd.qmp.QmpSchema;

/**
 * quit: replies, then stops the OSGi framework, which closes exports, nodes and monitors in order;
 * the launcher then exits 0. The stop runs on its own thread so the reply goes out first.
 */
@Component
@QmpCommandName("quit")
public final class Quit implements QmpCommand {
    private final BundleContext context;

    @Activate
    public Quit(BundleContext context) { this.context = context; }

    @Override
    public JsonNode execute(Options args, QmpSession session) {
        Thread.ofPlatform().name("jsd-quit").start(() -> {
            try {
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                // Already stopping.
            }
        });
        return null;
    }

    @Override
    public QmpSchema schema() {
        return QmpSchema.NO_ARGS;
    }
}
