package io.jsd.core.internal.graph;

import static io.jsd.block.Permission.ALL;
import static io.jsd.block.Permission.CONSISTENT_READ;
import static io.jsd.block.Permission.RESIZE;
import static io.jsd.block.Permission.WRITE;
import static io.jsd.block.Permission.WRITE_UNCHANGED;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsd.block.BlockDriver;
import io.jsd.block.BlockException;
import io.jsd.block.BlockNode;
import io.jsd.block.Capabilities;
import io.jsd.block.ChildRole;
import io.jsd.block.NodeHandle;
import io.jsd.block.NodeUse;
import io.jsd.block.OpenContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Before;
import org.junit.Test;

/**
 * qemu's permission model in core: what each edge holds and shares by role, what reaches the
 * drivers (two-phase), conflicts with qemu's text, and that a failed change undoes everything.
 * Expected values are qemu's (block.c bdrv_default_perms, raw-format.c raw_child_perm).
 */
public class PermissionGraphTest {
    private static final ObjectMapper M = new ObjectMapper().configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true);
    private static final int READ = CONSISTENT_READ;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private GraphService g;

    /**
     * "perm": records checkPermissions / setPermissions / abortPermissions; an optional "file"
     * child opened as {@code role} (FILTERED, PRIMARY, COW); "refuse": a permission bit its check
     * refuses, as the file driver does when another process holds the image.
     */
    final class PermDriver implements BlockDriver {
        @Override
        public BlockNode open(OpenContext ctx) throws BlockException {
            var o = ctx.options();
            String name = ctx.nodeName();
            int refuse = (int) o.integer("refuse", 0);
            ChildRole role = ChildRole.valueOf(o.string("role", "FILTERED"));
            o.optInteger("offset"); // what makes core treat a raw node as a format
            if (o.has("file")) ctx.openChild("file", role, true);
            return new BlockNode() {
                @Override public long size() { return 65536; }
                @Override public void read(long off, ByteBuffer dst) { dst.position(dst.limit()); }
                @Override public void write(long off, ByteBuffer src, int flags) { src.position(src.limit()); }
                @Override public Capabilities capabilities() { return Capabilities.BASIC; }
                @Override public void checkPermissions(int perm, int shared) throws BlockException {
                    calls.add("check " + name + " " + perm + "/" + shared);
                    if ((perm & refuse) != 0) throw new BlockException(BlockException.Kind.BUSY, "Failed to get lock");
                }
                @Override public void setPermissions(int perm, int shared) { calls.add("set " + name + " " + perm + "/" + shared); }
                @Override public void abortPermissions() { calls.add("abort " + name); }
            };
        }
    }

    @Before
    public void setUp() {
        g = new GraphService(null, null);
        g.addDriver("perm", new PermDriver());
        g.addDriver("raw", new PermDriver()); // named raw: core applies raw-format's own rule
    }

    private NodeHandle add(String s) throws Exception { return g.add((ObjectNode) M.readTree(s)); }

    private List<String> take() {
        List<String> out = new ArrayList<>(calls);
        calls.clear();
        return out;
    }

    private static String ps(int perm, int shared) { return perm + "/" + shared; }

    @Test
    public void aWritableFormatHoldsWriteAndResizeOnItsFileAndSharesNeither() throws Exception {
        add("{'driver':'perm','node-name':'f'}");
        assertEquals("a node without users is not asked", List.of(), take());
        add("{'driver':'perm','node-name':'q','file':'f','role':'PRIMARY'}");
        int held = READ | WRITE | RESIZE, shared = READ | WRITE_UNCHANGED;
        assertEquals(List.of("check f " + ps(held, shared), "set f " + ps(held, shared)), take());
        g.delete("q");
        assertEquals(List.of("check f " + ps(0, ALL), "set f " + ps(0, ALL)), take());
        add("{'driver':'perm','node-name':'q','file':'f','role':'PRIMARY','read-only':true}");
        assertEquals(List.of("check f " + ps(READ, shared), "set f " + ps(READ, shared)), take());
    }

    @Test
    public void filtersPassTheirUsersPermissionsThroughAndExportsHoldReadAndWrite() throws Exception {
        add("{'driver':'perm','node-name':'f'}");
        NodeHandle t = add("{'driver':'perm','node-name':'t','file':'f'}");
        assertEquals(List.of(), take());
        try (NodeUse u = t.use("export e", READ | WRITE, ALL & ~RESIZE)) {
            assertEquals(List.of("check t " + ps(READ | WRITE, ALL & ~RESIZE), "check f " + ps(READ | WRITE, ALL & ~RESIZE),
                    "set t " + ps(READ | WRITE, ALL & ~RESIZE), "set f " + ps(READ | WRITE, ALL & ~RESIZE)), take());
        }
        assertEquals(List.of("check t " + ps(0, ALL), "check f " + ps(0, ALL), "set t " + ps(0, ALL), "set f " + ps(0, ALL)), take());
    }

    @Test
    public void rawIsAFilterUnlessOffsetOrSizeMakeItAFormatOverData() throws Exception {
        add("{'driver':'perm','node-name':'f'}");
        NodeHandle r = add("{'driver':'raw','node-name':'r','file':'f','role':'PRIMARY'}");
        assertEquals(List.of(), take());
        r.use("export e", READ, ALL).close();
        assertEquals("check f " + ps(READ, ALL), take().get(1));
        add("{'driver':'raw','node-name':'r2','file':'f','role':'PRIMARY','offset':512}");
        assertEquals(List.of("check f " + ps(0, ALL & ~RESIZE), "set f " + ps(0, ALL & ~RESIZE)), take());
    }

    @Test
    public void aBackingFileIsOnlyReadAndMayChangeUnderAParentThatSharesWrite() throws Exception {
        add("{'driver':'perm','node-name':'b','read-only':true}");
        NodeHandle top = add("{'driver':'perm','node-name':'top','file':'b','role':'COW'}");
        assertEquals("its users hold nothing: the backing file shares everything", List.of(), take());
        top.use("export e", READ | WRITE, ALL & ~RESIZE).close();
        assertEquals("check b " + ps(READ, ALL), take().get(1));
        top.use("job", READ, READ).close();
        assertEquals("check b " + ps(READ, READ | WRITE_UNCHANGED), take().get(1));
    }

    @Test
    public void conflictsUseQemusTextAndNameTheNewerUserFirst() throws Exception {
        add("{'driver':'perm','node-name':'f'}");
        add("{'driver':'perm','node-name':'q','file':'f','role':'PRIMARY'}");
        NodeHandle r = add("{'driver':'perm','node-name':'r','file':'f'}");
        take();
        expect("Permission conflict on node 'f': permissions 'write' are both required by node 'r' (uses node 'f' as 'file' "
                + "child) and unshared by node 'q' (uses node 'f' as 'file' child).", r, READ | WRITE, ALL);
        expect("Permission conflict on node 'f': permissions 'write, resize' are both required by node 'q' (uses node 'f' "
                + "as 'file' child) and unshared by node 'r' (uses node 'f' as 'file' child).", r, READ, READ);
        NodeHandle f = g.require("f");
        expect("Permission conflict on node 'f': permissions 'write' are both required by an unnamed block device (uses node "
                + "'f' as 'root' child) and unshared by node 'q' (uses node 'f' as 'file' child).", f, READ | WRITE, ALL);
        // the user's own node was asked before the conflict below it was found, and told to undo
        assertEquals(List.of("check r " + ps(READ | WRITE, ALL), "abort r", "check r " + ps(READ, READ), "abort r"), take());
        try {
            add("{'driver':'perm','node-name':'q2','file':'f','role':'PRIMARY','read-only':true}");
            fail();
        } catch (BlockException e) {
            assertEquals("Permission conflict on node 'f': permissions 'write, resize' are both required by node 'q' (uses node "
                    + "'f' as 'file' child) and unshared by node 'q2' (uses node 'f' as 'file' child).", e.getMessage());
        }
        assertEquals("the refused node is not left behind", java.util.Optional.empty(), g.find("q2"));
    }

    private static void expect(String message, NodeHandle n, int perm, int shared) {
        try {
            n.use("export e", perm, shared).close();
            fail("granted");
        } catch (BlockException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void anInactiveNodeTakesNoLocksAndCannotBeTheChildOfAnActiveOne() throws Exception {
        NodeHandle f = add("{'driver':'perm','node-name':'f','active':false}");
        f.use("export e", READ | WRITE, ALL).close();
        assertEquals(List.of(), take());
        try {
            add("{'driver':'perm','node-name':'q','file':'f','role':'PRIMARY'}");
            fail();
        } catch (BlockException e) {
            assertEquals("Inactive 'f' can't be a file child of active 'q'", e.getMessage());
        }
        // an inactive format shares write and resize on its file, and does not write
        add("{'driver':'perm','node-name':'g'}");
        add("{'driver':'perm','node-name':'q2','file':'g','role':'PRIMARY','active':false}");
        assertEquals(List.of("check g " + ps(READ, ALL), "set g " + ps(READ, ALL)), take());
    }

    @Test
    public void writingAReadOnlyNodeIsRefused() throws Exception {
        add("{'driver':'perm','node-name':'f','read-only':true}");
        try {
            add("{'driver':'perm','node-name':'q','file':'f','role':'PRIMARY'}");
            fail();
        } catch (BlockException e) {
            assertEquals("Block node is read-only", e.getMessage());
        }
        NodeHandle t = add("{'driver':'perm','node-name':'t','file':'f'}");
        expect("Block node is read-only", t, READ | WRITE, ALL);
    }

    @Test
    public void aDriverThatRefusesUndoesTheWholeChange() throws Exception {
        add("{'driver':'perm','node-name':'f','refuse':2}");
        NodeHandle t = add("{'driver':'perm','node-name':'t','file':'f'}");
        take();
        try (NodeUse u = t.use("export e", READ, ALL)) {
            take();
            try {
                u.update(READ | WRITE, ALL);
                fail();
            } catch (BlockException e) {
                assertEquals("Failed to get lock", e.getMessage());
            }
            assertEquals(List.of("check t " + ps(READ | WRITE, ALL), "check f " + ps(READ | WRITE, ALL), "abort t"), take());
            // the old permissions stand: a change back to them reaches no driver, a new one goes through
            u.update(READ, ALL);
            assertEquals(List.of(), take());
            u.update(READ, ALL & ~RESIZE);
            assertEquals(List.of("check t " + ps(READ, ALL & ~RESIZE), "check f " + ps(READ, ALL & ~RESIZE),
                    "set t " + ps(READ, ALL & ~RESIZE), "set f " + ps(READ, ALL & ~RESIZE)), take());
        }
        try {
            add("{'driver':'perm','node-name':'q','file':'f','role':'PRIMARY'}");
            fail();
        } catch (BlockException e) {
            assertEquals("Failed to get lock", e.getMessage());
        }
    }
}
