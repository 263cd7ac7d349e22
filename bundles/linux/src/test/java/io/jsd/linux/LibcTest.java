package io.jsd.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LibcTest {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();

    static final MethodHandle OPEN = Libc.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);

    static int open(Path p) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(Libc.errnoState(), a.allocateFrom(p.toString()), 2 /* O_RDWR */, 0);
        }
    }

    @Test
    public void ftruncateAndFstat() throws Throwable {
        Path f = tmp.newFile().toPath();
        int fd = open(f);
        assertTrue(fd >= 0);
        try {
            Libc.ftruncate(fd, 12345);
            Stat st = Libc.fstat(fd);
            assertEquals(12345, st.size());
            assertEquals(12345, Files.size(f));
            assertEquals(0100000, st.mode() & 0170000); // a regular file
            assertFalse(st.isBlockDevice() || st.isCharDevice());
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    public void errnoIsCapturedOnPlatformAndVirtualThreads() throws Throwable {
        for (Thread t : new Thread[] {Thread.ofPlatform().unstarted(LibcTest::badFd), Thread.ofVirtual().unstarted(LibcTest::badFd)}) {
            t.start();
            t.join(10_000);
            assertFalse(t.isAlive());
        }
        badFd();
    }

    static void badFd() {
        try {
            Libc.fstat(-1);
            fail("fstat(-1) succeeded");
        } catch (ErrnoException e) {
            assertEquals(9, e.errno); // EBADF
            assertEquals("Bad file descriptor", e.getMessage());
        }
    }

    @Test
    public void closeIsBestEffort() {
        Libc.close(-1);
        Libc.close(Integer.MAX_VALUE); // EBADF, ignored
    }
}
