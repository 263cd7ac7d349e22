package io.jsd.nbd.internal;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.block.BlockNode;
import io.jsd.export.Export;
import io.jsd.objects.ObjectRegistry;
import io.jsd.options.Options;

/** An NBD server on a unix socket in a temp dir, with exports over test nodes; no daemon needed. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final NbdService service = new NbdService();
    final Path socket;

    TestServer(Path dir, String extraArgs, ObjectRegistry objects) throws Exception {
        this.socket = dir.resolve("nbd.sock");
        String json = "{\"addr\":{\"type\":\"unix\",\"path\":\"" + socket + "\"}" + (extraArgs == null ? "" : "," + extraArgs) + "}";
        Options args = new Options((ObjectNode) JSON.readTree(json), "", false);
        new NbdServerStart(service, objects).execute(args, () -> false);
        args.checkAllUsed();
    }

    TestServer(Path dir) throws Exception { this(dir, null, null); }

    Export export(String id, BlockNode node, boolean writable, String optionsJson) throws Exception {
        ObjectNode o = optionsJson == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(optionsJson);
        StubContext ctx = new StubContext(id, new StubHandle(id, node, !writable), o, writable);
        Export e = new NbdExportDriver(service).create(ctx);
        ctx.options().checkAllUsed();
        return e;
    }

    String uri(String name) { return "nbd+unix:///" + name + "?socket=" + socket; }

    @Override
    public void close() throws Exception {
        NbdServer s = service.current();
        if (s != null) new NbdServerStop(service, null).execute(Options.of(JSON.createObjectNode()), () -> false);
    }
}
