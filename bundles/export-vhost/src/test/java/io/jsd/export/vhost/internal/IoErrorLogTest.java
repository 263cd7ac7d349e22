package io.jsd.export.vhost.internal;

import static org.junit.Assert.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import io.jsd.block.BlockException;

public class IoErrorLogTest {
    @Test
    public void namesTheCauseChainAndRateLimits() {
        List<String> lines = new ArrayList<>();
        IoErrorLog log = new IoErrorLog("vhost-user-blk", lines::add);
        BlockException e = BlockException.io("write-zeroes failed on 'x': Invalid argument", new IOException("EINVAL"));
        log.report("write-zeroes sector 8", "the node failed", e);
        assertEquals(1, lines.size());
        String l = lines.get(0);
        assertTrue(l, l.startsWith("vhost-user-blk: write-zeroes sector 8 failed with IOERR: the node failed ("));
        assertTrue(l, l.contains("Invalid argument") && l.contains("<- java.io.IOException: EINVAL"));
        for (int i = 0; i < 50; i++) log.report("read sector " + i, "beyond the capacity", null);
        assertEquals(IoErrorLog.BURST, lines.size()); // the rest of the burst is counted, not printed
    }
}
