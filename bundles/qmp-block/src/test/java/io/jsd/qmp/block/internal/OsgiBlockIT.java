package io.jsd.qmp.block.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.RandomAccessFile;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The real bundles in Felix + SCR: the QMP commands find the graph, the drivers are found by name,
 * and stopping the driver-file bundle closes its nodes, which reopen when it starts again. The
 * JSD API classes on this test's class path are not the bundles' ones, so services are called by
 * reflection through the bundles' own classes.
 */
public class OsgiBlockIT {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private Framework fw;
    private final Map<String, Bundle> bundles = new HashMap<>();

    private static String jar(String fragment) {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains(fragment) && e.endsWith(".jar")) return new File(e).toURI().toString();
        }
        throw new IllegalStateException("not on the class path: " + fragment);
    }

    @Before
    public void boot() throws Exception {
        Map<String, String> cfg = new HashMap<>();
        cfg.put(Constants.FRAMEWORK_STORAGE, tmp.newFolder("felix").getAbsolutePath());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put("ds.loglevel", "warn"); // SCR prints component failures to the test output
        fw = new org.apache.felix.framework.FrameworkFactory().newFramework(cfg);
        fw.start();
        BundleContext ctx = fw.getBundleContext();
        String[][] set = {{"promise", "org.osgi.util.promise-"}, {"function", "org.osgi.util.function-"},
                {"component", "org.osgi.service.component-"}, {"scr", "org.apache.felix.scr-"},
                {"jackson-annotations", "jackson-annotations-"}, {"jackson-core", "jackson-core-"},
                {"jackson-databind", "jackson-databind-"}, {"core", "jsd-core-"}, {"linux", "jsd-linux-"}, {"file", "jsd-driver-file-"},
                {"raw", "jsd-driver-raw-"}, {"null", "jsd-driver-null-"}, {"qmp-block", "jsd-qmp-block-"},
                {"nbd", "jsd-export-nbd-"}};
        List<Bundle> installed = new ArrayList<>();
        for (String[] b : set) {
            Bundle x = ctx.installBundle(jar(b[1]));
            bundles.put(b[0], x);
            installed.add(x);
        }
        for (Bundle b : installed) b.start();
    }

    @After
    public void shutdown() throws Exception {
        if (fw != null) {
            fw.stop();
            fw.waitForStop(10_000);
        }
    }

    private Object service(String iface, String filter) throws Exception {
        BundleContext ctx = fw.getBundleContext();
        String f = "(&(objectClass=" + iface + ")" + (filter == null ? "" : filter) + ")";
        ServiceTracker<Object, Object> t = new ServiceTracker<>(ctx, ctx.createFilter(f), null);
        t.open(true);
        try {
            Object s = t.waitForService(TimeUnit.SECONDS.toMillis(20));
            if (s == null) {
                StringBuilder sb = new StringBuilder("no service " + f + "; bundles:");
                for (Bundle b : ctx.getBundles()) sb.append(' ').append(b.getSymbolicName()).append('=').append(b.getState());
                sb.append("; services:");
                for (var r : ctx.getAllServiceReferences(null, null)) {
                    sb.append(' ').append(String.join(",", (String[]) r.getProperty("objectClass")));
                    Object n = r.getProperty("jsd.qmp.command.name");
                    if (n != null) sb.append('(').append(n).append(')');
                }
                throw new AssertionError(sb.toString());
            }
            return s;
        } finally {
            t.close();
        }
    }

    private Class<?> coreClass(String name) throws ClassNotFoundException { return bundles.get("core").loadClass(name); }

    private static Object call(Class<?> iface, Object target, String method, Object... args) throws Exception {
        for (Method m : iface.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw (Exception) e.getCause();
                }
            }
        }
        throw new NoSuchMethodException(method);
    }

    /** Runs a QMP command service the way the monitor would; returns the reply or the error message. */
    private Object qmp(String command, String json) throws Exception {
        Object cmd = service("io.jsd.qmp.QmpCommand", "(jsd.qmp.command.name=" + command + ")");
        Class<?> mapperClass = bundles.get("jackson-databind").loadClass("com.fasterxml.jackson.databind.ObjectMapper");
        Object mapper = mapperClass.getConstructor().newInstance();
        Object tree = mapperClass.getMethod("readTree", String.class).invoke(mapper, json);
        Class<?> optionsClass = coreClass("io.jsd.options.Options");
        Object options = optionsClass.getMethod("of", bundles.get("jackson-databind")
                .loadClass("com.fasterxml.jackson.databind.node.ObjectNode")).invoke(null, tree);
        Class<?> sessionClass = coreClass("io.jsd.qmp.QmpSession");
        Object session = Proxy.newProxyInstance(sessionClass.getClassLoader(), new Class<?>[] {sessionClass},
                (p, m, a) -> m.getName().equals("commandLine") ? Boolean.FALSE : m.getName().equals("takeReceivedFd") ? -1 : null);
        try {
            Object r = call(coreClass("io.jsd.qmp.QmpCommand"), cmd, "execute", options, session);
            return r == null ? "{}" : r.toString();
        } catch (Exception e) {
            return "error: " + e.getMessage();
        }
    }

    private static String qemuIo(String uri, String cmd) throws Exception {
        Process p = new ProcessBuilder("qemu-io", "-f", "raw", "-c", cmd, uri).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return out;
    }

    /** The NBD export holds the raw node's io; it keeps serving across a restart of driver-file. */
    @Test
    public void nbdExportSurvivesADriverRestart() throws Exception {
        boolean qemuIo = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            qemuIo |= java.nio.file.Files.isExecutable(Path.of(dir, "qemu-io"));
        }
        org.junit.Assume.assumeTrue("qemu-io not installed", qemuIo);
        Path img = tmp.newFile("nbd.img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        Path sock = tmp.getRoot().toPath().resolve("nbd.sock");
        assertEquals("{}", qmp("blockdev-add", "{\"driver\":\"raw\",\"node-name\":\"r0\",\"file\":{\"driver\":\"file\",\"filename\":\"" + img + "\"}}"));
        assertEquals("{}", qmp("nbd-server-start", "{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"" + sock + "\"}}}"));
        assertEquals("{}", qmp("block-export-add", "{\"type\":\"nbd\",\"id\":\"e0\",\"node-name\":\"r0\",\"writable\":true}"));
        String uri = "nbd+unix:///r0?socket=" + sock;
        String w = qemuIo(uri, "write -P 0x5a 0 64k");
        assertTrue(w, w.contains("wrote 65536/65536"));

        bundles.get("file").stop();
        String during = qemuIo(uri, "read -P 0x5a 0 64k");
        assertFalse("I/O must fail while the driver is away: " + during, during.contains("read 65536/65536"));

        bundles.get("file").start();
        Object graph = service("io.jsd.block.BlockGraph", null);
        Object r0 = call(coreClass("io.jsd.block.BlockGraph"), graph, "require", "r0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Boolean.TRUE.equals(call(coreClass("io.jsd.block.NodeHandle"), r0, "available")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String after = qemuIo(uri, "read -P 0x5a 0 64k");
        assertTrue("same export serves again after the driver returned: " + after, after.contains("read 65536/65536"));
        assertEquals("{}", qmp("block-export-del", "{\"id\":\"e0\",\"mode\":\"hard\"}"));
    }

    @Test
    public void blockCommandsAndDriverRestartInFelix() throws Exception {
        Path img = tmp.newFile("disk.img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        assertEquals("{}", qmp("blockdev-add", "{\"driver\":\"raw\",\"node-name\":\"r0\",\"file\":{\"driver\":\"file\",\"filename\":\"" + img + "\"}}"));
        assertEquals("{}", qmp("blockdev-add", "{\"driver\":\"null-co\",\"node-name\":\"n0\"}"));
        String nodes = qmp("query-named-block-nodes", "{}").toString();
        assertTrue(nodes, nodes.contains("\"node-name\":\"r0\"") && nodes.contains("\"drv\":\"file\""));

        Class<?> graphClass = coreClass("io.jsd.block.BlockGraph");
        Class<?> handleClass = coreClass("io.jsd.block.NodeHandle");
        Object graph = service("io.jsd.block.BlockGraph", null);
        Object r0 = call(graphClass, graph, "require", "r0");
        Object file = ((List<?>) call(graphClass, graph, "nodes")).get(0);
        assertEquals(Boolean.TRUE, call(handleClass, file, "available"));

        bundles.get("file").stop();
        assertEquals(Boolean.FALSE, call(handleClass, file, "available"));
        assertEquals("error: Parameter 'driver' does not accept value 'file'",
                qmp("blockdev-add", "{\"driver\":\"file\",\"node-name\":\"f9\",\"filename\":\"" + img + "\"}"));
        assertTrue(qmp("query-named-block-nodes", "{}").toString().contains("\"drv\":\"file\""));

        bundles.get("file").start();
        service("io.jsd.block.BlockDriver", "(jsd.block.driver.name=file)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Boolean.TRUE.equals(call(handleClass, file, "available")) && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(Boolean.TRUE, call(handleClass, file, "available"));
        assertEquals(Boolean.TRUE, call(handleClass, r0, "available"));

        Object childName = call(handleClass, file, "nodeName");
        assertEquals("error: Node " + childName + " is not owned by the monitor",
                qmp("blockdev-del", "{\"node-name\":\"" + childName + "\"}"));
        assertEquals("{}", qmp("blockdev-del", "{\"node-name\":\"r0\"}"));
        assertFalse(qmp("query-named-block-nodes", "{}").toString().contains("r0"));
    }
}
