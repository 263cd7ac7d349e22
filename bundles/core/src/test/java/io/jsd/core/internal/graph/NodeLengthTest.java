package io.jsd.core.internal.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.Test;

import io.jsd.block.BlockException;

/** qemu's BDRV_MAX_LENGTH: INT64_MAX rounded down to 1 GiB, lengths rounded up to 512-byte sectors (QSD's boundary). */
public class NodeLengthTest {
    @Test
    public void boundaryAsQsd() throws Exception {
        NodeLength.check(0);
        NodeLength.check(511);
        NodeLength.check(9223372035781033984L); // QSD accepts
        for (long bad : new long[] {9223372035781033985L, Long.MAX_VALUE, Long.MAX_VALUE - 511}) {
            try {
                NodeLength.check(bad);
                fail(bad + " accepted");
            } catch (BlockException e) {
                assertEquals("Could not refresh total sector count: File too large", e.getMessage());
            }
        }
    }
}
