package io.jsd.nbd.internal;

import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** fio's nbd engine (libnbd): QD32 over 4 connections, writes verified with crc32c. */
public class FioTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void verifiedRandomWritesOverFourConnections() throws Exception {
        Peers.assume("fio");
        try (TestServer server = new TestServer(tmp.getRoot().toPath())) {
            server.export("disk", new MemNode(64L << 20), true, null);
            Peers.Result r = Peers.run(List.of("fio", "--name=verify", "--ioengine=nbd", "--uri=" + server.uri("disk"),
                    "--rw=randwrite", "--bs=4k", "--iodepth=32", "--numjobs=4", "--size=16M", "--offset_increment=16M",
                    "--verify=crc32c", "--verify_fatal=1", "--do_verify=1", "--verify_state_save=0", "--group_reporting"), 120).ok();
            assertTrue(r.out(), r.out().contains("err= 0"));
        }
    }
}
