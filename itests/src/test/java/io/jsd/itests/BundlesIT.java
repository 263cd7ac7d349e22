package io.jsd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bootDelegationPackage;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;

import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.options.Options;
import io.jsd.qmp.QmpCommand;
import io.jsd.qmp.QmpDispatcher;
import io.jsd.qmp.QmpException;
import io.jsd.qmp.QmpSession;

/**
 * Every bundle of the distribution, in a Felix started by Pax Exam: all resolve and start, and
 * plugins registered from outside core through the exported API only (a QMP command, a block
 * driver) are found by name and disappear with their service.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundlesIT {
    private static final QmpSession SESSION = () -> true;

    @Inject
    private BundleContext context;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        List<Option> opts = new ArrayList<>();
        File dir = new File(System.getProperty("jsd.dist", "../distribution/target/jsd"), "bundles");
        File[] jars = dir.listFiles((d, n) -> n.endsWith(".jar"));
        if (jars == null || jars.length == 0) throw new IllegalStateException("no bundles in " + dir + ": build distribution first");
        Arrays.sort(jars);
        for (File f : jars) opts.add(bundle(f.toURI().toString()));
        opts.add(junitBundles());
        opts.add(cleanCaches());
        // Not org.osgi.framework.system.packages.extra: Pax Exam sets that one for its own packages.
        opts.add(bootDelegationPackage("sun.misc"));
        opts.add(systemProperty("org.ops4j.pax.url.mvn.localRepository").value(System.getProperty("org.ops4j.pax.url.mvn.localRepository", "")));
        return opts.toArray(Option[]::new);
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> t = new ServiceTracker<>(context, type, null);
        t.open(true);
        try {
            T s = t.waitForService(10_000);
            assertNotNull("no " + type.getName() + " service", s);
            return s;
        } finally {
            t.close();
        }
    }

    /** SCR activates components on its own thread: wait (bounded) until the dispatcher has these commands. */
    private static void awaitCommands(QmpDispatcher d, boolean present, String... names) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (String n : names) all &= d.commands().contains(n) == present;
            if (all) return;
            Thread.sleep(10);
        }
        fail("commands " + Arrays.toString(names) + (present ? " never appeared: " : " never left: ") + d.commands());
    }

    private Bundle installed(String bsn) {
        for (Bundle b : context.getBundles()) if (bsn.equals(b.getSymbolicName())) return b;
        return null;
    }

    @Test
    public void everyBundleResolvesAndStarts() {
        for (Bundle b : context.getBundles()) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                assertEquals(b.getSymbolicName() + " (fragment) resolved", Bundle.RESOLVED, b.getState());
            } else {
                assertEquals(b.getSymbolicName() + " is active", Bundle.ACTIVE, b.getState());
            }
        }
        assertNotNull("core installed", installed("io.jsd.core"));
        assertNotNull("qmp-control installed", installed("io.jsd.qmp.control"));
    }

    @Test
    public void commandsFollowTheirBundle() throws Exception {
        QmpDispatcher d = service(QmpDispatcher.class);
        awaitCommands(d, true, "query-version", "query-commands", "query-qmp-schema", "quit", "object-add", "qmp_capabilities");
        Bundle control = installed("io.jsd.qmp.control");
        control.stop();
        try {
            awaitCommands(d, false, "query-version");
            try {
                d.dispatch("query-version", Options.of(JsonNodeFactory.instance.objectNode()), SESSION);
                fail("query-version without its bundle");
            } catch (QmpException e) {
                assertEquals("CommandNotFound", e.errorClass());
                assertEquals("The command query-version has not been found", e.getMessage());
            }
        } finally {
            control.start();
        }
        awaitCommands(d, true, "query-version");
        JsonNode v = d.dispatch("query-version", Options.of(JsonNodeFactory.instance.objectNode()), SESSION);
        assertEquals(10, v.path("qemu").path("major").asInt());
    }

    @Test
    public void commandRegisteredFromOutsideCore() throws Exception {
        QmpDispatcher d = service(QmpDispatcher.class);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(QmpCommand.NAME_PROPERTY, "x-itest-echo");
        QmpCommand echo = new QmpCommand() {
            @Override
            public ObjectNode execute(Options args, io.jsd.qmp.QmpSession session) {
                ObjectNode r = JsonNodeFactory.instance.objectNode();
                r.put("said", args.string("say"));
                return r;
            }

            @Override
            public io.jsd.qmp.QmpSchema schema() {
                return io.jsd.qmp.QmpSchema.of(io.jsd.qmp.QmpSchema.args("x-itest-echo", "say:str"), "any");
            }
        };
        ServiceRegistration<QmpCommand> reg = context.registerService(QmpCommand.class, echo, props);
        try {
            awaitCommands(d, true, "x-itest-echo");
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("say", "hi");
            assertEquals("hi", d.dispatch("x-itest-echo", Options.of(args), SESSION).path("said").asText());
            ObjectNode extra = JsonNodeFactory.instance.objectNode().put("say", "hi").put("bogus", 1);
            try {
                d.dispatch("x-itest-echo", Options.of(extra), SESSION);
                fail("unexpected parameter accepted");
            } catch (QmpException e) {
                assertEquals("GenericError", e.errorClass());
                assertEquals("Parameter 'bogus' is unexpected", e.getMessage());
            }
        } finally {
            reg.unregister();
        }
        awaitCommands(d, false, "x-itest-echo");
    }

    /** A driver registered by this test bundle, used through blockdev-add (once the graph has it). */
    @Test
    public void driverRegisteredFromOutsideCoreIsFoundByName() throws Exception {
        QmpDispatcher d = service(QmpDispatcher.class);
        Assume.assumeTrue("blockdev-add is installed", d.commands().contains("blockdev-add"));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BlockDriver.NAME_PROPERTY, "x-itest-zero");
        BlockDriver driver = ctx -> {
            long size = ctx.options().integer("size", 1 << 20);
            return new BlockNode() {
                @Override public long size() { return size; }
                @Override public void read(long offset, java.nio.ByteBuffer dst) {
                    while (dst.hasRemaining()) dst.put((byte) 0);
                }
                @Override public void write(long offset, java.nio.ByteBuffer src, int flags) { src.position(src.limit()); }
                @Override public Capabilities capabilities() { return Capabilities.BASIC; }
                @Override public void close() { }
            };
        };
        ServiceRegistration<BlockDriver> reg = context.registerService(BlockDriver.class, driver, props);
        try {
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("driver", "x-itest-zero").put("node-name", "z0").put("size", 4096);
            d.dispatch("blockdev-add", Options.of(args), SESSION);
            ObjectNode del = JsonNodeFactory.instance.objectNode().put("node-name", "z0");
            d.dispatch("blockdev-del", Options.of(del), SESSION);
        } finally {
            reg.unregister();
        }
        ObjectNode again = JsonNodeFactory.instance.objectNode().put("driver", "x-itest-zero").put("node-name", "z1");
        try {
            d.dispatch("blockdev-add", Options.of(again), SESSION);
            fail("driver still found after its service left");
        } catch (QmpException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("x-itest-zero"));
        }
    }
}
