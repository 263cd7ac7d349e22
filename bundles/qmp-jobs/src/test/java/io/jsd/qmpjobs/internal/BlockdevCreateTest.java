package io.jsd.qmpjobs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.block.BlockGraph;
import io.jsd.block.CreateContext;
import io.jsd.block.NodeHandle;
import io.jsd.core.internal.jobs.JobManagerImpl;
import io.jsd.job.JobManager;
import io.jsd.options.Options;
import io.jsd.qmp.QmpException;

/** blockdev-create runs the driver's create in a "create" job that waits for job-dismiss, as in qemu. */
public class BlockdevCreateTest {
    private static final ObjectMapper M = new ObjectMapper();
    private final List<String> events = new ArrayList<>();
    private final JobManager jobs = new JobManagerImpl((n, d) -> {
        synchronized (events) {
            events.add(d.get("id").asText() + ":" + d.get("status").asText());
        }
    });

    private static void inject(Object target, String field, Object value) throws Exception {
        Field f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    private JsonNode status(String id) throws Exception {
        QueryJobs q = new QueryJobs();
        inject(q, "jobs", jobs);
        for (JsonNode j : q.execute(Options.of(M.createObjectNode()), null)) if (j.get("id").asText().equals(id)) return j;
        return null;
    }

    private JsonNode awaitConcluded(String id) throws Exception {
        for (int i = 0; i < 500; i++) {
            JsonNode s = status(id);
            if (s != null && s.get("status").asText().equals("concluded")) return s;
            Thread.sleep(10);
        }
        throw new AssertionError("job " + id + " did not conclude: " + status(id));
    }

    private BlockdevCreate command(BlockDriver driver) throws Exception {
        BlockdevCreate c = new BlockdevCreate();
        inject(c, "jobs", jobs);
        inject(c, "graph", graphWith(name -> name.equals("test") ? Optional.of(driver) : Optional.empty()));
        return c;
    }

    /** A graph with no nodes whose drivers are looked up by {@code drivers}. */
    private static BlockGraph graphWith(java.util.function.Function<String, Optional<BlockDriver>> drivers) {
        return new BlockGraph() {
            @Override public NodeHandle add(ObjectNode options) { throw new UnsupportedOperationException(); }
            @Override public void delete(String nodeName) {}
            @Override public Optional<NodeHandle> find(String nodeName) { return Optional.empty(); }
            @Override public NodeHandle require(String n) throws BlockException { throw BlockException.invalid("Cannot find device=" + n + " nor node-name=" + n); }
            @Override public List<NodeHandle> nodes() { return List.of(); }
            @Override public Optional<BlockDriver> driver(String name) { return drivers.apply(name); }
        };
    }

    @Test
    public void successNeedsDismiss() throws Exception {
        List<ObjectNode> seen = new ArrayList<>();
        BlockDriver d = new BlockDriver() {
            @Override public io.jsd.block.BlockNode open(io.jsd.block.OpenContext ctx) { throw new UnsupportedOperationException(); }
            @Override public void create(ObjectNode options, CreateContext ctx) { seen.add(options); ctx.progress(1, 1); }
        };
        command(d).execute(Options.of((ObjectNode) M.readTree("{\"job-id\":\"c0\",\"options\":{\"driver\":\"test\",\"size\":1}}")), null);
        JsonNode s = awaitConcluded("c0");
        assertEquals("create", s.get("type").asText());
        assertEquals("{\"size\":1}", seen.get(0).toString());
        JobDismiss dismiss = new JobDismiss();
        inject(dismiss, "jobs", jobs);
        dismiss.execute(Options.of((ObjectNode) M.readTree("{\"id\":\"c0\"}")), null);
        assertEquals(null, status("c0"));
        assertEquals(List.of("c0:created", "c0:running", "c0:waiting", "c0:pending", "c0:concluded", "c0:null"), events);
    }

    @Test
    public void unknownDriverIsRefusedBeforeTheJob() throws Exception {
        try {
            command(null).execute(Options.of((ObjectNode) M.readTree("{\"job-id\":\"c1\",\"options\":{\"driver\":\"nope\",\"size\":1}}")), null);
            throw new AssertionError();
        } catch (QmpException e) {
            assertEquals("Invalid parameter 'nope'", e.getMessage());
        }
        assertEquals(null, status("c1"));
    }

    @Test
    public void qcow2CreateErrorsAreQemus() throws Exception {
        BlockDriver q = new io.jsd.qcow2.internal.Qcow2Driver();
        BlockdevCreate c = command(q);
        inject(c, "graph", graphWith(name -> Optional.of(q)));
        c.execute(Options.of((ObjectNode) M.readTree("{\"job-id\":\"c2\",\"options\":{\"driver\":\"qcow2\",\"file\":\"f\",\"size\":1000}}")), null);
        assertEquals("Image size must be a multiple of 512 bytes", awaitConcluded("c2").get("error").asText());
        c.execute(Options.of((ObjectNode) M.readTree("{\"job-id\":\"c3\",\"options\":{\"driver\":\"qcow2\",\"file\":\"f\",\"size\":1048576}}")), null);
        assertEquals("Cannot find device=f nor node-name=f", awaitConcluded("c3").get("error").asText());
        try {
            c.execute(Options.of((ObjectNode) M.readTree("{\"job-id\":\"c3\",\"options\":{\"driver\":\"qcow2\",\"file\":\"f\",\"size\":1048576}}")), null);
            throw new AssertionError();
        } catch (QmpException e) {
            assertEquals("Job ID 'c3' already in use", e.getMessage());
        }
        assertTrue(events.contains("c2:aborting"));
    }
}
