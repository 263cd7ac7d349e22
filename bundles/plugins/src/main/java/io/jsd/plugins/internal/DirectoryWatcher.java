package io.jsd.plugins.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Watches the daemon's bundles/ folder and applies what the operator does there: a jar added is
 * installed and started, a jar removed is stopped and uninstalled, a jar replaced (new content, a
 * new mtime or a new inode) is a hot upgrade ({@code Bundle.update} from the new bytes, then a
 * package refresh).
 *
 * <p>Events are debounced: a jar is acted on only once its size, mtime and inode have not changed
 * for {@value #SETTLE_MILLIS} ms and it reads as a complete jar, so a copy in progress is never
 * installed half-written. The framework gets the bytes read, not the file, so a later rewrite of
 * the file cannot disturb the running code. Core (and what core is wired to) is never updated or
 * removed this way: that is logged and the change waits for the next daemon start.
 *
 * <p>The WatchService blocks, so the loop runs on its own platform thread.
 */
@Component(immediate = true)
public final class DirectoryWatcher {
    static final long SETTLE_MILLIS = 500;
    private static final long POLL_MILLIS = 100;

    @Reference
    private PluginManager manager;

    private volatile WatchService watch;
    private Thread thread;
    private Path dir;

    /** What each managed jar looked like when its bundle was last installed or updated from it. */
    private final Map<Path, Fingerprint> known = new HashMap<>();
    /** Jars that changed and wait to settle: last fingerprint seen and since when (nanoTime). */
    private final Map<Path, Pending> pending = new LinkedHashMap<>();
    /** Installed by the watcher but not started yet (a dependency may arrive later). */
    private final List<Bundle> unstarted = new ArrayList<>();

    private static final class Pending {
        Fingerprint seen;
        long since;

        Pending(Fingerprint seen, long since) {
            this.seen = seen;
            this.since = since;
        }
    }

    @Activate
    void activate(BundleContext bc) throws IOException {
        Optional<Path> d = manager.bundlesDir();
        if (d.isEmpty() || !Files.isDirectory(d.get())) {
            PluginManager.LOG.log(WARNING, "plugins: no bundles folder found (set -D" + BundlesDir.PROPERTY
                    + "=DIR); jars added or removed at run time are not applied");
            return;
        }
        dir = d.get();
        watch = dir.getFileSystem().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
        adoptInstalled();
        thread = Thread.ofPlatform().name("jsd-plugins-watcher").daemon().start(this::loop);
        PluginManager.LOG.log(Level.DEBUG, "plugins: watching " + dir);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        WatchService w = watch;
        watch = null;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        if (thread != null) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** Matches every jar already in the folder to its installed bundle; the rest wait to be installed. */
    private void adoptInstalled() {
        for (Path jar : listJars()) {
            Fingerprint fp = Fingerprint.of(jar);
            Optional<Bundle> b = manager.bundleOf(jar);
            if (b.isEmpty()) b = sameNameAndVersion(jar);
            if (b.isPresent()) {
                manager.adopt(b.get(), jar);
                known.put(jar, fp);
            } else {
                pending.put(jar, new Pending(fp, System.nanoTime()));
            }
        }
    }

    /** The bundle the launcher installed from this jar under a location we do not recognise. */
    private Optional<Bundle> sameNameAndVersion(Path jar) {
        try {
            JarSnapshot s = JarSnapshot.read(jar);
            for (Bundle b : manager.bundles()) {
                if (s.symbolicName().equals(b.getSymbolicName()) && b.getVersion().toString().equals(
                        org.osgi.framework.Version.parseVersion(s.version()).toString())) {
                    return Optional.of(b);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // not a bundle: it stays pending and is reported when acted on
        }
        return Optional.empty();
    }

    private List<Path> listJars() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(BundlesDir::isPluginName).sorted().toList();
        } catch (IOException e) {
            PluginManager.LOG.log(WARNING, "plugins: cannot list " + dir + ": " + e.getMessage());
            return List.of();
        }
    }

    private void loop() {
        while (watch != null) {
            try {
                WatchKey key = watch.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    collect(key);
                    if (!key.reset()) {
                        PluginManager.LOG.log(WARNING, "plugins: " + dir + " can no longer be watched; run-time changes there are not applied");
                        return;
                    }
                }
                settle();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // one bad change must not end the watcher
                PluginManager.LOG.log(WARNING, "plugins: " + e, e);
            }
        }
    }

    private void collect(WatchKey key) {
        long now = System.nanoTime();
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                // events were lost: look at every jar we know and every jar there is
                for (Path p : known.keySet()) touch(p, now);
                for (Path p : listJars()) touch(p, now);
                continue;
            }
            Path p = dir.resolve((Path) e.context());
            if (BundlesDir.isPluginName(p)) touch(p, now);
        }
    }

    /** (Re)starts the settle clock of a changed jar. */
    private void touch(Path p, long now) {
        Pending q = pending.get(p);
        if (q == null) pending.put(p, new Pending(Fingerprint.of(p), now));
        else {
            q.seen = Fingerprint.of(p);
            q.since = now;
        }
    }

    /** Applies the jars that have not changed for the settle time. */
    private void settle() {
        long now = System.nanoTime();
        var it = pending.entrySet().iterator();
        boolean applied = false;
        while (it.hasNext()) {
            var e = it.next();
            Path p = e.getKey();
            Pending q = e.getValue();
            Fingerprint fp = Fingerprint.of(p);
            if (!Fingerprint.same(fp, q.seen)) {
                q.seen = fp;
                q.since = now;
                continue;
            }
            if (now - q.since < TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) continue;
            it.remove();
            apply(p, fp);
            applied = true;
        }
        if (applied && !unstarted.isEmpty()) {
            manager.retryStart(unstarted);
            unstarted.removeIf(b -> b.getState() == Bundle.ACTIVE || b.getState() == Bundle.UNINSTALLED);
        }
    }

    private void apply(Path jar, Fingerprint fp) {
        Optional<Bundle> b = manager.bundleOf(jar);
        try {
            if (fp == null) {
                known.remove(jar);
                if (b.isPresent()) removed(jar, b.get());
                return;
            }
            if (b.isPresent() && Fingerprint.same(fp, known.get(jar))) return; // nothing new (e.g. an event for a read)
            JarSnapshot s;
            try {
                s = JarSnapshot.read(jar);
            } catch (IOException e) {
                // not complete yet, or not a bundle: acted on when it changes again
                PluginManager.LOG.log(WARNING, "plugins: ignoring " + jar.getFileName() + " for now: " + e.getMessage());
                return;
            }
            if (b.isEmpty()) {
                Bundle nb = manager.install(s);
                if (nb.getState() != Bundle.ACTIVE && !PluginManager.isFragment(nb)) unstarted.add(nb);
            } else if (!s.symbolicName().equals(b.get().getSymbolicName())) {
                // a different plugin under the same file name: remove the old one, install the new one
                manager.uninstall(b.get());
                Bundle nb = manager.install(s);
                if (nb.getState() != Bundle.ACTIVE && !PluginManager.isFragment(nb)) unstarted.add(nb);
            } else {
                String why = manager.refusal(b.get(), PluginManager.Op.UPDATE);
                if (why != null) {
                    PluginManager.LOG.log(WARNING, "plugins: " + jar.getFileName() + " changed but is not applied: " + why);
                } else {
                    manager.update(b.get(), s);
                }
            }
            known.put(jar, fp);
        } catch (PluginException e) {
            PluginManager.LOG.log(WARNING, "plugins: " + jar.getFileName() + ": " + e.getMessage());
        }
    }

    private void removed(Path jar, Bundle b) throws PluginException {
        String why = manager.refusal(b, PluginManager.Op.UNINSTALL);
        if (why != null) {
            PluginManager.LOG.log(WARNING, "plugins: " + jar.getFileName() + " was removed but " + PluginManager.label(b)
                    + " keeps running: " + why);
            return;
        }
        manager.uninstall(b);
    }
}
