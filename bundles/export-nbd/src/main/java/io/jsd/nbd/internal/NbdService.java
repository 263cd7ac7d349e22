package io.jsd.nbd.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import io.jsd.qmp.QmpException;

/**
 * Holds the one NBD server a daemon may run (QSD has a single nbd-server too). Shared by
 * nbd-server-start / -stop and the nbd export type, all in this bundle.
 */
@Component(service = NbdService.class)
public class NbdService {
    private NbdServer current;

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
        return s;
    }

    @Deactivate
    void deactivate() {
        NbdServer s = detach();
        if (s != null) {
            for (NbdExport e : s.exports()) e.close(true);
            s.stop();
        }
    }
}
