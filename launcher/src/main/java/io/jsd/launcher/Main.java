package io.jsd.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Boots Felix, installs and starts every jar in {@code $JSD_HOME/bundles}, then hands the command
 * line to core and exits with core's verdict.
 *
 * <p>The launcher shares no class with the bundles. It registers one service under the JDK type
 * {@link IntConsumer} with the property {@value #ARGS_PROPERTY} (the arguments, a String[]); core's
 * command-line component picks it up, processes the options in order, and calls
 * {@code accept(code)}: {@value #READY} means "the daemon runs", any other value means "exit now
 * with this code" (after -h, -V or a bad option, whose message core has already printed).
 * {@code quit} stops the framework, which ends {@link #main}.
 */
public final class Main {
    /** Service property carrying the command-line arguments (String[]). */
    public static final String ARGS_PROPERTY = "jsd.launcher.args";
    /** Verdict meaning "started, keep running". */
    public static final int READY = -1;

    private static final long VERDICT_TIMEOUT_SECONDS = 120;

    private Main() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (LauncherException e) {
            System.err.println("jsd: " + e.getMessage());
            code = 1;
        }
        System.out.flush();
        System.err.flush();
        Shutdown.reraise();
        Runtime.getRuntime().halt(code);
    }

    static int run(String[] args) throws LauncherException {
        Path home = home();
        Path bundles = home.resolve("bundles");
        Path storage;
        try {
            storage = Files.createTempDirectory("jsd-felix-");
        } catch (IOException e) {
            throw new LauncherException("cannot create the OSGi cache directory: " + e.getMessage());
        }
        Framework framework = null;
        try {
            framework = newFramework(storage);
            timing("framework initialised");
            startBundles(framework, bundles);
            timing("bundles started");
            Shutdown.install(framework);
            CompletableFuture<Integer> verdict = new CompletableFuture<>();
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(ARGS_PROPERTY, args.clone());
            IntConsumer sink = verdict::complete;
            var registration = framework.getBundleContext().registerService(IntConsumer.class, sink, props);
            int v = awaitVerdict(framework, verdict, registration);
            timing("verdict " + v);
            if (v != READY) {
                stop(framework);
                return v;
            }
            Daemonize.ready();
            framework.waitForStop(0);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (BundleException e) {
            throw new LauncherException(e.getMessage());
        } finally {
            if (framework != null) stop(framework);
            deleteTree(storage);
        }
    }

    /**
     * Waits for core's verdict. There is no limit once core holds the service (a chardev with
     * wait=on legitimately waits for its first client); only a service nobody picks up within
     * {@value #VERDICT_TIMEOUT_SECONDS} s (core missing or not starting) is an error.
     */
    private static int awaitVerdict(Framework framework, CompletableFuture<Integer> verdict,
            org.osgi.framework.ServiceRegistration<IntConsumer> registration) throws InterruptedException, LauncherException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(VERDICT_TIMEOUT_SECONDS);
        while (true) {
            try {
                return verdict.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (framework.getState() != Bundle.ACTIVE) return 1;
                boolean inUse = registration.getReference().getUsingBundles() != null;
                if (!inUse && System.nanoTime() > deadline) {
                    throw new LauncherException("core did not start within " + VERDICT_TIMEOUT_SECONDS
                            + " s (is bundles/jsd-core-*.jar installed?)");
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new LauncherException(String.valueOf(e.getCause()));
            }
        }
    }

    /** -Djsd.timing=true: start-up phases on stderr, in ms since the JVM started (for docs/performance.md). */
    private static void timing(String phase) {
        if (Boolean.getBoolean("jsd.timing")) {
            long ms = System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("jsd: timing: " + phase + " at " + ms + " ms");
        }
    }

    /** JSD_HOME: the jsd.home property (bin/jsd sets it), else the parent of the launcher jar's lib/. */
    static Path home() throws LauncherException {
        String prop = System.getProperty("jsd.home");
        if (prop != null) return Paths.get(prop);
        try {
            Path jar = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (Exception e) {
            throw new LauncherException("cannot find JSD's home directory; set -Djsd.home=");
        }
    }

    private static Framework newFramework(Path storage) throws BundleException, LauncherException {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("felix.log.level", "1");
        // sun.misc is what jffi and junixsocket probe for; the JDK exports it from jdk.unsupported.
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "sun.misc");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new LauncherException("no OSGi framework on the class path (lib/org.apache.felix.framework-*.jar)"));
        Framework framework = factory.newFramework(config);
        framework.init();
        return framework;
    }

    /** Installs every jar (by reference: no copy), then starts all that are not fragments. */
    private static void startBundles(Framework framework, Path dir) throws BundleException, LauncherException {
        List<Path> jars;
        try (Stream<Path> s = Files.list(dir)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new LauncherException("cannot list " + dir + ": " + e.getMessage());
        }
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            installed.add(framework.getBundleContext().installBundle("reference:" + jar.toUri()));
        }
        framework.start();
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) continue;
            try {
                b.start();
            } catch (BundleException e) {
                throw new LauncherException("bundle " + b.getSymbolicName() + " did not start: " + e.getMessage());
            }
        }
    }

    static void stop(Framework framework) {
        try {
            if (framework.getState() == Bundle.ACTIVE || framework.getState() == Bundle.STARTING) framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException | InterruptedException e) {
            // Nothing left to do: the JVM halts next.
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover cache directory under /tmp is harmless.
        }
    }
}
