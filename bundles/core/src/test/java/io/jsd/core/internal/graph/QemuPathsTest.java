package io.jsd.core.internal.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** qemu's path_has_protocol and path_combine, case by case as util/cutils.c computes them. */
public class QemuPathsTest {
    @Test
    public void aProtocolIsAColonBeforeAnySlash() {
        assertTrue(QemuPaths.hasProtocol("nbd:unix:/tmp/s"));
        assertTrue(QemuPaths.hasProtocol("json:{\"driver\":\"raw\"}"));
        assertTrue(QemuPaths.hasProtocol("file:base.qcow2"));
        assertTrue(QemuPaths.hasProtocol("null-co://"));
        assertFalse(QemuPaths.hasProtocol("dir/a:b.qcow2"));
        assertFalse(QemuPaths.hasProtocol("./a:b"));
        assertFalse(QemuPaths.hasProtocol("base.qcow2"));
        assertEquals("nbd", QemuPaths.protocol("nbd:localhost:10809"));
    }

    @Test
    public void relativeNamesJoinTheDirectoryOfTheBase() {
        assertEquals("/img/base.qcow2", QemuPaths.combine("/img/top.qcow2", "base.qcow2"));
        assertEquals("/img/../d2/mid.qcow2", QemuPaths.combine("/img/top.qcow2", "../d2/mid.qcow2"));
        assertEquals("d1/sub/base.qcow2", QemuPaths.combine("d1/top.qcow2", "sub/base.qcow2"));
        assertEquals("base.qcow2", QemuPaths.combine("top.qcow2", "base.qcow2")); // relative to the cwd, as in qemu
        assertEquals("/abs.qcow2", QemuPaths.combine("/img/top.qcow2", "/abs.qcow2"));
        assertEquals("/img/", QemuPaths.combine("/img/top.qcow2", ""));
        // never into the protocol prefix
        assertEquals("null-co://base", QemuPaths.combine("null-co://", "base"));
        assertEquals("proto:base", QemuPaths.combine("proto:top", "base"));
        assertEquals("proto:/dir/base", QemuPaths.combine("proto:/dir/top", "base"));
    }
}
