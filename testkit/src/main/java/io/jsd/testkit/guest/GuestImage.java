package io.jsd.testkit.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The pieces of a throw-away Linux guest: the newest Debian kernel in /boot, the modules virtio_blk
 * needs (from modules.dep, .xz decompressed), and a busybox-static initramfs running a script.
 * Host tools busybox lacks (util-linux blkdiscard -z for BLKZEROOUT) can be copied in with the
 * libraries ldd names.
 */
public final class GuestImage {
    public final Path kernel;
    final Path modulesDir;
    final Path busybox;

    private GuestImage(Path kernel, Path modulesDir, Path busybox) {
        this.kernel = kernel;
        this.modulesDir = modulesDir;
        this.busybox = busybox;
    }

    /** Empty when a piece is missing (tests then skip). */
    public static Optional<GuestImage> find() throws IOException {
        Path bb = Stream.of("/bin/busybox", "/usr/bin/busybox").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (bb == null || !Files.isDirectory(Path.of("/boot"))) return Optional.empty();
        try (Stream<Path> s = Files.list(Path.of("/boot"))) {
            List<Path> kernels = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).filter(Files::isReadable)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            for (int i = kernels.size() - 1; i >= 0; i--) {
                String ver = kernels.get(i).getFileName().toString().substring("vmlinuz-".length());
                Path mods = Path.of("/lib/modules", ver);
                if (Files.isReadable(mods.resolve("modules.dep"))) return Optional.of(new GuestImage(kernels.get(i), mods, bb));
            }
        }
        return Optional.empty();
    }

    /** Module files to insmod, dependencies first, for the given module names. */
    private List<Path> modules(String... names) throws IOException {
        Map<String, List<String>> deps = new HashMap<>();
        for (String line : Files.readAllLines(modulesDir.resolve("modules.dep"))) {
            int c = line.indexOf(':');
            if (c < 0) continue;
            String rest = line.substring(c + 1).trim();
            deps.put(line.substring(0, c), rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String n : names) {
            for (String path : deps.keySet()) {
                String f = path.substring(path.lastIndexOf('/') + 1);
                if (f.startsWith(n + ".ko")) add(path, deps, ordered);
            }
        }
        List<Path> out = new ArrayList<>();
        for (String p : ordered) out.add(modulesDir.resolve(p));
        return out; // built-in modules (not in modules.dep) need nothing
    }

    private static void add(String mod, Map<String, List<String>> deps, Set<String> ordered) {
        if (ordered.contains(mod)) return;
        List<String> d = deps.getOrDefault(mod, List.of());
        for (int i = d.size() - 1; i >= 0; i--) add(d.get(i), deps, ordered);
        ordered.add(mod);
    }

    private static byte[] moduleBytes(Path ko) throws IOException, InterruptedException {
        if (!ko.toString().endsWith(".xz")) return Files.readAllBytes(ko);
        Process p = new ProcessBuilder("xz", "-dc", ko.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] data = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("xz -dc " + ko + " failed");
        }
        return data;
    }

    /** A host executable by name, from the usual sbin/bin directories. */
    public static Optional<Path> hostTool(String name) {
        return Stream.of("/usr/sbin", "/sbin", "/usr/bin", "/bin").map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** The shared libraries (and the loader) {@code binary} needs, as ldd reports them. */
    private static List<Path> libraries(Path binary) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ldd", binary.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        List<Path> libs = new ArrayList<>();
        for (String line : out.split("\n")) {
            String l = line.trim();
            int arrow = l.indexOf("=> /");
            String path = arrow >= 0 ? l.substring(arrow + 3) : l.startsWith("/") ? l : null;
            if (path == null) continue;
            int sp = path.indexOf(' ');
            libs.add(Path.of(sp < 0 ? path : path.substring(0, sp)));
        }
        return libs;
    }

    /** An initramfs whose /init loads virtio_blk and runs {@code script} (sh), plus extra files. */
    public byte[] initramfs(String script, Map<String, byte[]> files) throws IOException, InterruptedException {
        return initramfs(script, files, List.of());
    }

    /**
     * As {@link #initramfs(String, Map)}, with host {@code tools} copied to /ul/NAME together with
     * their libraries at the host paths (the script calls e.g. {@code /ul/blkdiscard -z ...}).
     */
    public byte[] initramfs(String script, Map<String, byte[]> files, List<Path> tools) throws IOException, InterruptedException {
        Cpio c = new Cpio().dir("bin").dir("dev").dir("proc").dir("sys").dir("lib").charDev("dev/console", 5, 1)
                .file("bin/busybox", 0755, Files.readAllBytes(busybox));
        Set<Path> libs = new LinkedHashSet<>();
        for (Path t : tools) {
            c.file("ul/" + t.getFileName(), 0755, Files.readAllBytes(t));
            libs.addAll(libraries(t));
        }
        for (Path l : libs) c.file(l.toString().substring(1), 0755, Files.readAllBytes(l));
        StringBuilder init = new StringBuilder("#!/bin/busybox sh\n/bin/busybox --install -s /bin\nexport PATH=/bin\n"
                + "export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/lib:/usr/lib\n"
                + "mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null\n");
        int i = 0;
        for (Path ko : modules("virtio_blk")) {
            String name = "lib/m" + (i++) + ".ko";
            c.file(name, 0644, moduleBytes(ko));
            init.append("insmod /").append(name).append(" 2>/dev/null\n");
        }
        init.append("for i in $(seq 100); do [ -b /dev/vda ] && break; sleep 0.1; done\n");
        init.append(script);
        init.append("\necho E2E-DONE\nsync\npoweroff -f\n");
        c.file("init", 0755, init.toString().getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, byte[]> f : files.entrySet()) c.file(f.getKey(), 0644, f.getValue());
        return c.finish();
    }
}
