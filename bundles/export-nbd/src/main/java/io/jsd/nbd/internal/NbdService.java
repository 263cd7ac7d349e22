package io.jsd.nbd.internal;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;
import io.jsd.qmp.QmpException;

/**
 * Holds the one NBD server a daemon may run (QSD has a single nbd-server too). Shared by
 * nbd-server-start / -stop and the nbd export type, all in this bundle.
 */
@Component(service = NbdService.class)
public class NbdService {
    /** In the bundle's data area: the running server's nbd-server-start arguments while this plugin is restarted or upgraded. */
    private static final String RESUME_FILE = "nbd-server-resume.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private NbdServer current;
    /** The arguments the running server was started with (null for none, or a passed fd, which cannot be reopened). */
    private ObjectNode startArgs;
    private boolean startKeyval;
    private BundleContext bc;

    /**
     * When this plugin is stopped and started again, or upgraded, while the daemon runs, the server
     * comes back on the same address before the nbd export type registers, so core's re-created
     * exports find it.
     */
    @Activate
    void activate(BundleContext bc) {
        this.bc = bc;
        File f = bc.getDataFile(RESUME_FILE);
        if (f == null || !f.exists()) return;
        try {
            ObjectNode saved = (ObjectNode) JSON.readTree(f);
            Files.deleteIfExists(f.toPath());
            Options args = new Options((ObjectNode) saved.get("args"), "", saved.path("keyval").asBoolean());
            ServerConfig cfg = ServerOptions.parse(args, objects());
            start(cfg);
            remember(args);
        } catch (Exception e) {
            NbdServer.LOG.log(Level.WARNING, "nbd: the NBD server that ran before this plugin restarted was not resumed: " + e.getMessage());
        }
    }

    private ObjectRegistry objects() {
        ServiceReference<ObjectRegistry> r = bc.getServiceReference(ObjectRegistry.class);
        return r == null ? null : bc.getService(r);
    }

    /** Records the arguments of a successful nbd-server-start (to resume after a plugin restart). */
    public synchronized void remember(Options args) {
        boolean fd = "fd".equals(args.json().path("addr").path("type").asText());
        startArgs = fd ? null : args.json().deepCopy();
        startKeyval = args.keyval();
    }

    /** Starts the server; QSD's error when one is already running. */
    public synchronized NbdServer start(ServerConfig config) throws QmpException, IOException {
        if (current != null) throw QmpException.generic("NBD server already running");
        current = NbdServer.start(config);
        return current;
    }

    public synchronized NbdServer current() { return current; }

    /** Forgets the running server and returns it for stopping; null when none runs. */
    public synchronized NbdServer detach() {
        NbdServer s = current;
        current = null;
        startArgs = null;
        return s;
    }

    @Deactivate
    void deactivate() {
        ObjectNode args;
        boolean keyval;
        synchronized (this) {
            args = startArgs;
            keyval = startKeyval;
        }
        NbdServer s = detach();
        // only this plugin stops (the framework itself is not stopping): keep the server's arguments
        if (s != null && args != null && bc != null && bc.getBundle(0).getState() == Bundle.ACTIVE) {
            try {
                ObjectNode saved = JSON.createObjectNode().put("keyval", keyval);
                saved.set("args", args);
                JSON.writeValue(bc.getDataFile(RESUME_FILE), saved);
            } catch (IOException | RuntimeException e) {
                NbdServer.LOG.log(Level.WARNING, "nbd: cannot keep the NBD server's settings across this plugin's restart: " + e.getMessage());
            }
        }
        if (s != null) {
            for (NbdExport e : s.exports()) e.close(true);
            s.stop();
        }
    }
}
