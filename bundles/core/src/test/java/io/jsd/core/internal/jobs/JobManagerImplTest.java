package io.jsd.core.internal.jobs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.jsd.qmp.QmpException;

public class JobManagerImplTest {
    private final List<String> events = new ArrayList<>();
    private final JobManagerImpl m = new JobManagerImpl((n, d) -> {
        synchronized (events) {
            events.add(d.get("status").asText());
        }
    });

    @Test
    public void successfulJobWithManualDismiss() throws Exception {
        m.start("j0", "create", true, false, c -> c.progress(1, 1));
        m.awaitStatus("j0", JobStatus.CONCLUDED, 10_000);
        assertEquals("concluded", m.describe().get(0).get("status").asText());
        m.dismiss("j0");
        assertTrue(m.describe().isEmpty());
        assertEquals(List.of("created", "running", "waiting", "pending", "concluded", "null"), events);
    }

    @Test
    public void failedJobKeepsItsError() throws Exception {
        m.start("j1", "create", true, false, c -> { throw new IllegalStateException("boom"); });
        m.awaitStatus("j1", JobStatus.CONCLUDED, 10_000);
        assertEquals("boom", m.describe().get(0).get("error").asText());
        assertEquals(List.of("created", "running", "aborting", "concluded"), events);
    }

    @Test
    public void verbTableRejectsWithQemuMessage() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        m.start("j2", "create", false, false, c -> go.await(10, TimeUnit.SECONDS));
        try {
            m.dismiss("j2");
            fail();
        } catch (QmpException e) {
            assertTrue(e.getMessage(), e.getMessage().matches("Job 'j2' in state '(created|running)' cannot accept command verb 'dismiss'"));
        }
        go.countDown();
        m.awaitStatus("j2", JobStatus.PENDING, 10_000);
        m.finalizeJob("j2");
        m.dismiss("j2");
        try {
            m.dismiss("j2");
            fail();
        } catch (QmpException e) {
            assertEquals("Job not found", e.getMessage());
        }
    }

    @Test
    public void cancelAndPause() throws Exception {
        m.start("j3", "create", true, true, c -> {
            while (true) c.pausePoint();
        });
        m.pause("j3");
        m.resume("j3");
        m.cancel("j3", false);
        m.awaitStatus("j3", JobStatus.NULL, 10_000);
        assertTrue(m.describe().isEmpty());
        m.start("j4", "create", true, false, c -> {
            while (true) c.pausePoint();
        });
        m.cancel("j4", false);
        m.awaitStatus("j4", JobStatus.CONCLUDED, 10_000);
        assertEquals("Operation canceled", m.describe().get(0).get("error").asText());
        assertTrue(events.toString(), events.contains("aborting"));
    }
}
