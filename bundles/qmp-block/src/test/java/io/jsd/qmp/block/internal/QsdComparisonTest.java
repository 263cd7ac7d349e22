package io.jsd.qmp.block.internal;

import static io.jsd.testkit.Tool.qemuImg;
import static org.junit.Assume.assumeTrue;

import io.jsd.core.internal.exports.ExportService;
import io.jsd.core.internal.graph.GraphService;
import io.jsd.qmp.QmpCommand;
import io.jsd.testkit.QsdMonitor;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Runs one scripted QMP session against JSD's block commands and against the real
 * qemu-storage-daemon, and requires the same replies (generated node names and actual-size
 * ignored). Skipped when qemu-storage-daemon is not installed.
 */
public class QsdComparisonTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private QsdMonitor qsd;
    private Map<String, QmpCommand> jsd;
    private SideBySide sides;

    private static boolean onPath(String tool) { return QsdMonitor.onPath(tool); }

    @Before
    public void start() throws Exception {
        assumeTrue("qemu-storage-daemon not installed", onPath("qemu-storage-daemon"));
        qsd = new QsdMonitor(tmp.getRoot().toPath());

        GraphService graph = SideBySide.graph();
        ExportService exports = new ExportService(graph, (io.jsd.qmp.QmpEvents) null);
        jsd = SideBySide.nodeCommands(graph);
        QueryBlockExports qe = new QueryBlockExports();
        qe.exports = exports;
        BlockExportDel ed = new BlockExportDel();
        ed.exports = exports;
        jsd.put("query-block-exports", qe);
        jsd.put("block-export-del", ed);
        jsd.put("query-block", new QueryBlock());
        QueryBlockstats bs = new QueryBlockstats();
        bs.graph = graph;
        jsd.put("query-blockstats", bs);
        BlockResize rs = new BlockResize();
        rs.graph = graph;
        jsd.put("block_resize", rs);
        sides = new SideBySide(qsd, jsd);
    }

    @After
    public void stop() throws Exception {
        if (qsd != null) qsd.close();
    }

    @Test
    public void backingChainsAreShownLikeQsd() throws Exception {
        assumeTrue(onPath("qemu-img"));
        Path base = tmp.getRoot().toPath().resolve("base.qcow2"), top = tmp.getRoot().toPath().resolve("top.qcow2");
        qemuImg("create", "-f", "qcow2", base.toString(), "16M");
        qemuImg("create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", top.toString());
        sides.compare(List.of(
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'top','file':{'driver':'file','locking':'off','filename':'" + top + "'}}}",
                "{'execute':'query-named-block-nodes'}",
                "{'execute':'query-named-block-nodes','arguments':{'flat':true}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'top'}}",
                "{'execute':'query-named-block-nodes'}"));
    }

    @Test
    public void qcow2NodesAreShownLikeQsd() throws Exception {
        assumeTrue(onPath("qemu-img"));
        Path dir = tmp.getRoot().toPath();
        Path raw = dir.resolve("plain.raw"), alone = dir.resolve("alone.qcow2"), base = dir.resolve("base.qcow2"),
                mid = dir.resolve("mid.qcow2"), top = dir.resolve("top.qcow2"), bm = dir.resolve("bitmap.qcow2");
        qemuImg("create", "-f", "raw", raw.toString(), "4M");
        qemuImg("create", "-f", "qcow2", alone.toString(), "8M");
        qemuImg("create", "-f", "qcow2", base.toString(), "16M");
        qemuImg("create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", mid.toString());
        qemuImg("create", "-f", "qcow2", "-b", mid.toString(), "-F", "qcow2", top.toString());
        Path rel = dir.resolve("rel.qcow2");
        qemuImg("create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", rel.toString()); // a relative backing path
        qemuImg("create", "-f", "qcow2", bm.toString(), "8M");
        qemuImg("bitmap", "--add", "-g", "65536", bm.toString(), "b0");
        qemuImg("bitmap", "--add", "--disable", bm.toString(), "b1");
        String q = "{'execute':'query-named-block-nodes'}";
        String qf = "{'execute':'query-named-block-nodes','arguments':{'flat':true}}";
        String fileOf = "{'driver':'file','locking':'off','filename':'%s'}";
        sides.compare(List.of(
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r','file':" + fileOf.formatted(raw) + "}}",
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'q','file':" + fileOf.formatted(alone) + "}}",
                q, qf,
                "{'execute':'blockdev-del','arguments':{'node-name':'q'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'r'}}",
                // a chain of three read from the headers, the top's file given by reference
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'tf','locking':'off','filename':'" + top + "'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'top','file':'tf'}}",
                q, qf,
                "{'execute':'blockdev-del','arguments':{'node-name':'top'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'tf'}}",
                // explicit backing nodes
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'b','file':" + fileOf.formatted(base) + "}}",
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'m','backing':'b','file':" + fileOf.formatted(mid) + "}}",
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'t','backing':null,'file':" + fileOf.formatted(top) + "}}",
                q, qf,
                "{'execute':'blockdev-del','arguments':{'node-name':'t'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'m'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'b'}}",
                // a relative backing path: the header's string is not the backing node's filename
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'r1','file':" + fileOf.formatted(rel) + "}}",
                q, qf,
                "{'execute':'blockdev-del','arguments':{'node-name':'r1'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'b','file':" + fileOf.formatted(base) + "}}",
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'r2','backing':'b','file':" + fileOf.formatted(rel) + "}}",
                q,
                "{'execute':'blockdev-del','arguments':{'node-name':'r2'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'b'}}",
                // a qcow2 option of its own makes the filename a json: one
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'o','lazy-refcounts':true,'file':" + fileOf.formatted(mid) + "}}",
                q,
                "{'execute':'blockdev-del','arguments':{'node-name':'o'}}",
                // persistent bitmaps
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'bm','read-only':true,'file':" + fileOf.formatted(bm) + "}}",
                q,
                "{'execute':'blockdev-del','arguments':{'node-name':'bm'}}",
                // a format over a format node: no protocol file to be named by
                "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'q2','file':" + fileOf.formatted(alone) + "}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'rq','file':'q2'}}",
                q,
                "{'execute':'blockdev-del','arguments':{'node-name':'rq'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'q2'}}",
                q));
    }

    @Test
    public void sameRepliesAsQemuStorageDaemon() throws Exception {
        Path img = tmp.newFile("disk.img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(64 << 20);
        }
        Path img2 = tmp.newFile("disk2.img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(img2.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        Path img3 = tmp.newFile("disk3.img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(img3.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        String file = "{\"driver\":\"file\",\"filename\":\"" + img + "\"}";
        List<String> script = new ArrayList<>(List.of(
                "{'execute':'blockdev-add','arguments':{'driver':'raw','file':" + file + "}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r0','file':" + file + "}}",
                "{'execute':'blockdev-add','arguments':{'driver':'null-co','node-name':'n0'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'null-co','node-name':'n0'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'null-aio','node-name':'n1','size':1048576,'read-zeroes':true}}",
                "{'execute':'blockdev-add','arguments':{'driver':'nosuch','node-name':'x'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'null-co','node-name':'x','bogus':1}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'#x','filename':'" + img2 + "'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'f1','filename':'" + img2 + "','aio':'bogus'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'f1'}}",
                "{'execute':'blockdev-add','arguments':{'node-name':'f1'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r9'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r9','file':{'driver':'file','filename':'" + img2 + "','bogus':1}}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r9','detect-zeroes':'unmap','file':'f1'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'f9','filename':'" + img + ".nope'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'f1','filename':'" + img2 + "'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r1','offset':512,'size':1024,'file':'f1'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r2','file':'nonexist'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'r3','read-only':true,'detect-zeroes':'on',"
                        + "'cache':{'direct':true,'no-flush':true},'file':{'driver':'file','filename':'" + img + "','locking':'off'}}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'a1','aio':'native','filename':'" + img2 + "'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'null-co','node-name':'fs','force-share':true}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'big','offset':1048576,'size':512,'file':'f1'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'odd','size':1000,'file':'f1'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'dir','filename':'" + img.getParent() + "'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'null-co','node-name':'a23456789012345678901234567890123'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'fro','read-only':true,'locking':'off','filename':'" + img2 + "'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'rw','file':'fro'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'null-co','node-name':'lk','locking':'off'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'fro'}}",
                "{'execute':'blockdev-add','arguments':{'driver':'raw','node-name':'rs','file':{'driver':'file','locking':'off','filename':'" + img3 + "'}}}",
                "{'execute':'block_resize','arguments':{'node-name':'rs','size':2097152}}",
                "{'execute':'block_resize','arguments':{'node-name':'nope','size':2097152}}",
                "{'execute':'block_resize','arguments':{'node-name':'rs','size':-1}}",
                "{'execute':'block_resize','arguments':{'node-name':'rs','size':1000}}",
                "{'execute':'block_resize','arguments':{'node-name':'rs'}}",
                "{'execute':'block_resize','arguments':{'size':5}}",
                "{'execute':'block_resize','arguments':{'node-name':'n0','size':2097152}}",
                "{'execute':'block_resize','arguments':{'node-name':'r3','size':1024}}",
                "{'execute':'query-named-block-nodes'}",
                "{'execute':'query-named-block-nodes','arguments':{'flat':true}}",
                "{'execute':'query-blockstats'}",
                "{'execute':'query-blockstats','arguments':{'query-nodes':true}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'f1'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'nonexist'}}",
                "{'execute':'query-block'}",
                "{'execute':'query-block-exports'}",
                "{'execute':'block-export-del','arguments':{'id':'e0'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'r0'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'r1'}}",
                "{'execute':'blockdev-del','arguments':{'node-name':'f1'}}",
                "{'execute':'query-named-block-nodes'}"));
        sides.compare(script);
    }
}
