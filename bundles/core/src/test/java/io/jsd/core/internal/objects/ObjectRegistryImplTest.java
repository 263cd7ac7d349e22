package io.jsd.core.internal.objects;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jsd.options.OptionException;
import io.jsd.options.Options;

/** object-add / object-del semantics and qemu's messages. */
public class ObjectRegistryImplTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final ObjectRegistryImpl reg = new ObjectRegistryImpl();

    private static ObjectNode obj(String type, String id) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("qom-type", type);
        if (id != null) o.put("id", id);
        return o;
    }

    private void fails(ObjectNode args, String message) {
        try {
            reg.add(Options.of(args));
            fail("expected: " + message);
        } catch (OptionException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void secrets() throws Exception {
        reg.add(Options.of(obj("secret", "s0").put("data", "pw")));
        assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8), reg.secret("s0"));
        reg.add(Options.of(obj("secret", "s1").put("data", "cHc=").put("format", "base64")));
        assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8), reg.secret("s1"));
        Path f = tmp.newFile().toPath();
        Files.writeString(f, "from-file");
        reg.add(new Options(obj("secret", "s2").put("file", f.toString()), "", true));
        assertArrayEquals("from-file".getBytes(StandardCharsets.UTF_8), reg.secret("s2"));
        fails(obj("secret", "s3"), "Either 'file' or 'data' must be provided");
        fails(obj("secret", "s3").put("data", "x").put("file", "/y"), "'data' and 'file' are mutually exclusive");
    }

    @Test
    public void addDeleteAndErrors() {
        reg.add(new Options(obj("iothread", "io0").put("poll-max-ns", "32768"), "", true));
        fails(obj("iothread", "io0"), "attempt to add duplicate property 'io0' to object (type 'container')");
        fails(obj("bogus", "x"), "Parameter 'qom-type' does not accept value 'bogus'");
        fails(obj("iothread", null), "Parameter 'id' is missing");
        fails(obj("iothread", "io1").put("bogus", 1), "Parameter 'bogus' is unexpected");
        fails(obj("iothread", "io1").put("poll-max-ns", "x"), "Invalid parameter type for 'poll-max-ns', expected: integer");
        assertEquals("iothread", reg.require("io0", "iothread").type());
        reg.delete("io0");
        try {
            reg.delete("io0");
            fail();
        } catch (OptionException e) {
            assertEquals("object 'io0' not found", e.getMessage());
        }
        assertTrue(reg.types().contains("tls-creds-x509"));
    }

    @Test
    public void tlsCredsNeedTheirFiles() throws Exception {
        Path dir = tmp.newFolder().toPath();
        fails(obj("tls-creds-x509", "t0").put("dir", dir.toString()).put("endpoint", "server"),
                "Unable to access credentials " + dir.resolve("ca-cert.pem") + ": No such file or directory");
        for (String f : new String[] {"ca-cert.pem", "server-cert.pem", "server-key.pem"}) Files.writeString(dir.resolve(f), "x");
        reg.add(Options.of(obj("tls-creds-x509", "t0").put("dir", dir.toString()).put("endpoint", "server").put("verify-peer", false)));
        assertEquals(dir.toString(), reg.require("t0", "tls-creds-x509").props().get("dir").asText());
    }
}
