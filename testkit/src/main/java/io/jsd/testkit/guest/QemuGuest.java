package io.jsd.testkit.guest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A TCG qemu-system-x86_64 guest whose only disk is a vhost-user-blk-pci device on a unix socket
 * (memfd shared memory, as vhost-user needs). The guest runs {@code script} from a busybox
 * initramfs (see {@link GuestImage}), prints "E2E-DONE" and powers off. Its serial console goes to
 * {@code dir/serial.log}, qemu's own output to {@code dir/qemu.out}. close() stops qemu by its PID.
 */
public final class QemuGuest implements AutoCloseable {
    /** The marker the initramfs prints after the script. */
    public static final String DONE = "E2E-DONE";

    public final Process process;
    public final Path dir;

    private QemuGuest(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /** qemu-system-x86_64 on the PATH. */
    public static Optional<String> qemuBinary() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, "qemu-system-x86_64");
            if (Files.isExecutable(p)) return Optional.of(p.toString());
        }
        return Optional.empty();
    }

    /**
     * Boots a guest with {@code cpus} vCPUs against the vhost-user-blk socket {@code sock};
     * {@code reconnect} makes qemu's chardev reconnect when the back-end goes away.
     */
    public static QemuGuest boot(Path dir, Path sock, int queues, int cpus, boolean reconnect, byte[] initramfs) throws IOException {
        GuestImage g = GuestImage.find().orElseThrow(() -> new IllegalStateException("no guest kernel or busybox"));
        Path initrd = dir.resolve("initrd.cpio");
        Files.write(initrd, initramfs);
        List<String> cmd = new ArrayList<>(List.of(qemuBinary().orElseThrow(), "-accel", "tcg", "-nodefaults", "-display", "none", "-no-reboot",
                "-machine", "q35,memory-backend=mem", "-smp", Integer.toString(cpus), "-m", "256M",
                "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
                "-chardev", "socket,id=vu,path=" + sock + (reconnect ? ",reconnect-ms=300" : ""),
                "-device", "vhost-user-blk-pci,chardev=vu,num-queues=" + queues,
                "-kernel", g.kernel.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 quiet",
                "-serial", "file:" + dir.resolve("serial.log")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile()).start();
        return new QemuGuest(p, dir);
    }

    /** Convenience: the initramfs for {@code script} and {@code files} with the found guest image. */
    public static byte[] initramfs(String script, Map<String, byte[]> files, List<Path> tools) throws IOException, InterruptedException {
        return GuestImage.find().orElseThrow(() -> new IllegalStateException("no guest kernel or busybox")).initramfs(script, files, tools);
    }

    /** The serial console so far. */
    public String console() throws IOException { return read(dir.resolve("serial.log")); }

    /** qemu's own stdout and stderr. */
    public String qemuOutput() throws IOException { return read(dir.resolve("qemu.out")); }

    /**
     * Waits (bounded) for the guest to power off; returns its console, which must show
     * {@link #DONE}. {@code diagnostics} is added to the failure message.
     */
    public String awaitDone(long timeoutSeconds, String diagnostics) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("guest did not finish in " + timeoutSeconds + " s:\n" + diagnostics + console() + qemuOutput());
        }
        String out = console();
        if (!out.contains(DONE)) throw new AssertionError("guest did not finish:\n" + diagnostics + out + qemuOutput());
        return out;
    }

    /** Waits (bounded) until the console shows {@code marker}. */
    public void awaitConsole(String marker, long deadlineNanos) throws Exception {
        while (!console().contains(marker)) {
            if (System.nanoTime() > deadlineNanos || !process.isAlive()) throw new AssertionError("guest did not print " + marker + ":\n" + console() + qemuOutput());
            Thread.sleep(50);
        }
    }

    static String read(Path p) throws IOException { return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : ""; }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
