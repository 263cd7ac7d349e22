package io.jsd.plugins.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JarSnapshotTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path jar(String bsn) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) mf.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        mf.getMainAttributes().putValue("Bundle-Version", "1.2.3");
        Path p = tmp.newFile().toPath();
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.putNextEntry(new JarEntry("a/B.class"));
            j.write(new byte[100_000]);
        }
        return p;
    }

    @Test
    public void readsNameAndVersion() throws Exception {
        JarSnapshot s = JarSnapshot.read(jar("io.jsd.x;singleton:=true"));
        assertEquals("io.jsd.x", s.symbolicName());
        assertEquals("1.2.3", s.version());
    }

    @Test
    public void aJarStillBeingWrittenIsRefused() throws Exception {
        Path p = jar("io.jsd.x");
        byte[] all = Files.readAllBytes(p);
        for (int cut : new int[] {10, all.length / 2, all.length - 10}) {
            Files.write(p, Arrays.copyOf(all, cut));
            try {
                JarSnapshot.read(p);
                fail("accepted a jar cut at " + cut + " of " + all.length);
            } catch (IOException e) {
                assertTrue(e.getMessage(), e.getMessage().contains(p.toString()));
            }
        }
    }

    @Test
    public void aJarThatIsNoBundleIsRefused() throws Exception {
        try {
            JarSnapshot.read(jar(null));
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not an OSGi bundle"));
        }
    }

    @Test
    public void locationsAndNames() {
        assertEquals(Path.of("/a b/x.jar"), BundlesDir.fileOf("reference:file:/a%20b/x.jar").orElseThrow());
        assertEquals(Path.of("/d/x.jar"), BundlesDir.fileOf("reference:file:///d/x.jar").orElseThrow());
        assertFalse(BundlesDir.fileOf("mvn:io.jsd/x/1").isPresent());
        assertTrue(BundlesDir.isPluginName(Path.of("/d/jsd-driver-file-1.jar")));
        assertFalse(BundlesDir.isPluginName(Path.of("/d/.upgrade.jar")));
        assertFalse(BundlesDir.isPluginName(Path.of("/d/x.jar.part")));
    }
}
