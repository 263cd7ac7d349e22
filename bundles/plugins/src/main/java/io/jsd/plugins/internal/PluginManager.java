package io.jsd.plugins.internal;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * Stops, starts, installs, updates and uninstalls plugins (bundles) of the running daemon, one
 * operation at a time, for the bundles/ watcher and the x-jsd-plugin-* QMP commands.
 *
 * <p>What it refuses, because it would take the whole configuration down: the framework, JSD's
 * core, the DS runtime core's components run on, the plugin manager itself, and updating or
 * removing any bundle whose packages core is wired to (a package refresh would restart core, and
 * a restarted core starts with no nodes, exports or monitors).
 */
@Component(service = PluginManager.class)
public final class PluginManager {
    static final System.Logger LOG = System.getLogger("io.jsd.plugins");
    private static final long REFRESH_TIMEOUT_SECONDS = 60;
    /** How long start / update / install wait for the plugin's components to come up before answering. */
    private static final long READY_TIMEOUT_SECONDS = 10;

    enum Op { STOP, START, UPDATE, UNINSTALL }

    private final ReentrantLock lock = new ReentrantLock();
    /** Files that bundles were installed from, when the location does not say (adopted or renamed). */
    private final Map<Long, Path> files = new ConcurrentHashMap<>();
    private BundleContext bc;
    private Optional<Path> dir = Optional.empty();
    @Reference
    private ServiceComponentRuntime scr;

    @Activate
    void activate(BundleContext bc) {
        this.bc = bc;
        this.dir = BundlesDir.find(bc);
    }

    Optional<Path> bundlesDir() { return dir; }

    // ---- lookup ----

    /** The bundle named {@code name} (symbolic name); the newest version if several are installed. */
    Bundle require(String name) throws PluginException {
        Bundle best = null;
        for (Bundle b : bc.getBundles()) {
            if (b.getBundleId() == 0 || !name.equals(b.getSymbolicName())) continue;
            if (best == null || b.getVersion().compareTo(best.getVersion()) > 0) best = b;
        }
        if (best == null) throw new PluginException("Plugin '" + name + "' is not installed (x-jsd-query-plugins lists them)");
        return best;
    }

    List<Bundle> bundles() {
        List<Bundle> out = new ArrayList<>();
        for (Bundle b : bc.getBundles()) if (b.getBundleId() != 0) out.add(b);
        return out;
    }

    /** The jar in bundles/ this bundle came from, if any. */
    Optional<Path> fileOf(Bundle b) {
        Path f = files.get(b.getBundleId());
        if (f != null) return Optional.of(f);
        return BundlesDir.fileOf(b.getLocation()).filter(p -> dir.isPresent() && dir.get().equals(p.getParent()));
    }

    /** The installed bundle that came from {@code file}, if any. */
    Optional<Bundle> bundleOf(Path file) {
        for (Bundle b : bundles()) {
            if (b.getState() != Bundle.UNINSTALLED && fileOf(b).filter(file::equals).isPresent()) return Optional.of(b);
        }
        return Optional.empty();
    }

    /** Records that {@code b} is the bundle of {@code file} (the launcher installed it under another location). */
    void adopt(Bundle b, Path file) { files.put(b.getBundleId(), file); }

    /** The state reported for {@code b}: for an ACTIVE bundle, whether its components are up (see PluginReadiness). */
    PluginReadiness readiness(Bundle b) {
        if (b.getState() != Bundle.ACTIVE) return new PluginReadiness(QueryPlugins.state(b.getState()), List.of());
        return PluginReadiness.of(scr, b);
    }

    /**
     * Waits (bounded) until the just started {@code b} is ready or failed, so that a plugin command
     * answers when the plugin's drivers, exports and commands are there; a plugin still waiting
     * after the bound is left to x-jsd-query-plugins to explain.
     */
    private void awaitReady(Bundle b) {
        if (isFragment(b)) return;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            PluginReadiness r = readiness(b);
            if (r.ready() || PluginReadiness.FAILED.equals(r.state()) || b.getState() != Bundle.ACTIVE) return;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.log(Level.WARNING, "plugins: " + label(b) + " is not ready after " + READY_TIMEOUT_SECONDS + " s: " + readiness(b).waiting());
    }

    boolean isCore(Bundle b) { return BundlesDir.CORE.equals(b.getSymbolicName()); }

    // ---- what is refused ----

    /** Why {@code op} on {@code b} is refused, or null if it is allowed. */
    String refusal(Bundle b, Op op) {
        String n = "'" + b.getSymbolicName() + "'";
        if (b.getBundleId() == 0) return "Plugin " + n + " is the OSGi framework itself";
        if (isCore(b)) {
            return "Plugin " + n + " is JSD's core and cannot be " + verb(op) + " at run time: that would drop every"
                    + " node, export and monitor; restart the daemon to change it";
        }
        if (b.equals(bc.getBundle()) && op != Op.START) {
            return "Plugin " + n + " is the plugin manager itself; restart the daemon to change it";
        }
        if (op == Op.STOP && runsCore(b)) {
            return "Plugin " + n + " runs JSD's core components (Declarative Services): stopping it would drop every"
                    + " node, export and monitor";
        }
        if (op == Op.UPDATE || op == Op.UNINSTALL) {
            FrameworkWiring fw = frameworkWiring();
            for (Bundle d : fw.getDependencyClosure(List.of(b))) {
                if (isCore(d)) {
                    return "Plugin " + n + " cannot be " + verb(op) + " at run time: JSD's core uses its packages, and"
                            + " refreshing them would restart core and drop every node, export and monitor;"
                            + " restart the daemon to change it";
                }
            }
        }
        return null;
    }

    private static String verb(Op op) {
        return switch (op) {
            case STOP -> "stopped";
            case START -> "started";
            case UPDATE -> "updated";
            case UNINSTALL -> "removed";
        };
    }

    /** True if core's DS components are run by {@code b} (core is wired to it through the osgi.extender namespace). */
    private boolean runsCore(Bundle b) {
        for (Bundle c : bc.getBundles()) {
            if (!isCore(c)) continue;
            BundleWiring w = c.adapt(BundleWiring.class);
            if (w == null) continue;
            for (BundleWire wire : w.getRequiredWires("osgi.extender")) {
                if (wire.getProvider().getBundle().equals(b)) return true;
            }
        }
        return false;
    }

    private void check(Bundle b, Op op) throws PluginException {
        String why = refusal(b, op);
        if (why != null) throw new PluginException(why);
    }

    // ---- operations ----

    void stop(Bundle b) throws PluginException {
        lock.lock();
        try {
            check(b, Op.STOP);
            if (isFragment(b)) throw new PluginException("Plugin '" + b.getSymbolicName() + "' is a fragment and cannot be stopped");
            b.stop();
            LOG.log(Level.INFO, "plugins: stopped " + label(b));
        } catch (BundleException e) {
            throw new PluginException("Plugin '" + b.getSymbolicName() + "' did not stop: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    void start(Bundle b) throws PluginException {
        lock.lock();
        try {
            check(b, Op.START);
            if (isFragment(b)) throw new PluginException("Plugin '" + b.getSymbolicName() + "' is a fragment and cannot be started");
            b.start();
            awaitReady(b);
            LOG.log(Level.INFO, "plugins: started " + label(b));
        } catch (BundleException | IllegalStateException e) {
            throw new PluginException("Plugin '" + b.getSymbolicName() + "' did not start: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces {@code b}'s code with the jar {@code s} (same symbolic name): the framework stops it,
     * installs the new revision from the bytes read, restarts it if it was active, and the packages
     * are refreshed. Core sees the driver/export/command services leave and return, and reopens
     * what used them.
     */
    void update(Bundle b, JarSnapshot s) throws PluginException {
        lock.lock();
        try {
            check(b, Op.UPDATE);
            if (!s.symbolicName().equals(b.getSymbolicName())) {
                throw new PluginException("Jar " + s.file() + " is plugin '" + s.symbolicName() + "', not '" + b.getSymbolicName() + "'");
            }
            String before = label(b);
            b.update(s.stream());
            refreshPending();
            if (b.getState() == Bundle.ACTIVE) awaitReady(b);
            LOG.log(Level.INFO, "plugins: updated " + before + " to version " + b.getVersion() + " from " + s.file());
        } catch (BundleException | IllegalStateException e) {
            throw new PluginException("Plugin '" + b.getSymbolicName() + "' was not updated: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Installs {@code s} (under a location naming its file) and starts it unless it is a fragment. */
    Bundle install(JarSnapshot s) throws PluginException {
        lock.lock();
        try {
            Bundle b = bc.installBundle("reference:" + s.file().toUri(), s.stream());
            files.put(b.getBundleId(), s.file());
            LOG.log(Level.INFO, "plugins: installed " + label(b) + " from " + s.file());
            if (!isFragment(b)) {
                try {
                    b.start();
                    awaitReady(b);
                    LOG.log(Level.INFO, "plugins: started " + label(b));
                } catch (BundleException e) {
                    LOG.log(Level.WARNING, "plugins: " + label(b) + " is installed but did not start: " + e.getMessage());
                }
            }
            return b;
        } catch (BundleException | IllegalStateException e) {
            throw new PluginException("Jar " + s.file() + " was not installed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Starts bundles the watcher installed that could not resolve before (their dependency arrived later). */
    void retryStart(Collection<Bundle> bundles) {
        lock.lock();
        try {
            for (Bundle b : bundles) {
                if (b.getState() == Bundle.INSTALLED || b.getState() == Bundle.RESOLVED) {
                    try {
                        b.start();
                        LOG.log(Level.INFO, "plugins: started " + label(b));
                    } catch (BundleException | IllegalStateException e) {
                        // still unresolved; logged when it was installed
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    void uninstall(Bundle b) throws PluginException {
        lock.lock();
        try {
            check(b, Op.UNINSTALL);
            String l = label(b);
            b.uninstall();
            files.remove(b.getBundleId());
            refreshPending();
            LOG.log(Level.INFO, "plugins: removed " + l);
        } catch (BundleException | IllegalStateException e) {
            throw new PluginException("Plugin '" + b.getSymbolicName() + "' was not removed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Refreshes the bundles left with an old revision, bounded; never when that would reach core. */
    private void refreshPending() throws PluginException {
        FrameworkWiring fw = frameworkWiring();
        Collection<Bundle> pending = fw.getRemovalPendingBundles();
        if (pending.isEmpty()) return;
        for (Bundle d : fw.getDependencyClosure(pending)) {
            if (isCore(d)) {
                LOG.log(Level.WARNING, "plugins: not refreshing " + pending + ": core would restart; old code stays loaded until the daemon restarts");
                return;
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        fw.refreshBundles(pending, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) done.countDown();
        });
        try {
            if (!done.await(REFRESH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new PluginException("Package refresh did not finish within " + REFRESH_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PluginException("Interrupted while refreshing packages");
        }
    }

    private FrameworkWiring frameworkWiring() { return bc.getBundle(0).adapt(FrameworkWiring.class); }

    static boolean isFragment(Bundle b) { return b.getHeaders("").get(Constants.FRAGMENT_HOST) != null; }

    static String label(Bundle b) { return b.getSymbolicName() + " " + b.getVersion(); }
}
