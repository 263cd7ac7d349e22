package io.jsd.qcow2.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One test image per qcow2 feature, each made by the real qemu-img / qemu-io. Every script runs with
 * bash in the image's directory and must leave the image as {@code img.qcow2}.
 */
final class Images {
    private Images() {}

    static final String DATA = " -c 'write -P 0xa1 0 100k' -c 'write -P 0xb2 300k 4k' -c 'write -P 0xc3 1000k 1100k'"
            + " -c 'write -z 1500k 64k' -c 'write -P 0xd4 5m 3k' -c 'discard 1200k 128k' -c 'write -P 0xe5 7m 1m'";

    static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("v3-64k", "qemu-img create -q -f qcow2 img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("v2", "qemu-img create -q -f qcow2 -o compat=0.10 img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("cluster-512", "qemu-img create -q -f qcow2 -o cluster_size=512 img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("cluster-4k", "qemu-img create -q -f qcow2 -o cluster_size=4k img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("cluster-2M", "qemu-img create -q -f qcow2 -o cluster_size=2M img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("refcount-1", "qemu-img create -q -f qcow2 -o refcount_bits=1 img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("refcount-4", "qemu-img create -q -f qcow2 -o refcount_bits=4 img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("refcount-64", "qemu-img create -q -f qcow2 -o refcount_bits=64 img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("zlib", "qemu-img create -q -f qcow2 src.qcow2 9M && qemu-io -f qcow2 src.qcow2" + DATA
                + " && qemu-img convert -c -O qcow2 src.qcow2 img.qcow2 && rm src.qcow2");
        m.put("zstd", "qemu-img create -q -f qcow2 src.qcow2 9M && qemu-io -f qcow2 src.qcow2" + DATA
                + " && qemu-img convert -c -O qcow2 -o compression_type=zstd src.qcow2 img.qcow2 && rm src.qcow2");
        m.put("zlib-4k-then-writes", "qemu-img create -q -f qcow2 src.qcow2 9M && qemu-io -f qcow2 src.qcow2" + DATA
                + " && qemu-img convert -c -O qcow2 -o cluster_size=4k src.qcow2 img.qcow2 && rm src.qcow2"
                + " && qemu-io -f qcow2 img.qcow2 -c 'write -P 0x77 1002k 3k'");
        m.put("backing", "qemu-img create -q -f qcow2 base.qcow2 9M && qemu-io -f qcow2 base.qcow2 -c 'write -P 0x5a 0 9M'"
                + " && qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 img.qcow2 && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("backing-raw-short", "qemu-img create -q -f raw base.raw 3M && qemu-io -f raw base.raw -c 'write -P 0x5b 0 3M'"
                + " && qemu-img create -q -f qcow2 -b base.raw -F raw img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("backing-chain-3", "qemu-img create -q -f qcow2 b0.qcow2 9M && qemu-io -f qcow2 b0.qcow2 -c 'write -P 0x10 0 9M'"
                + " && qemu-img create -q -f qcow2 -b b0.qcow2 -F qcow2 b1.qcow2 && qemu-io -f qcow2 b1.qcow2 -c 'write -P 0x20 2m 3m'"
                + " && qemu-img create -q -f qcow2 -b b1.qcow2 -F qcow2 img.qcow2 && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("extended-l2", "qemu-img create -q -f qcow2 -o extended_l2=on,cluster_size=128k img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("extended-l2-backing", "qemu-img create -q -f qcow2 base.qcow2 9M && qemu-io -f qcow2 base.qcow2 -c 'write -P 0x5a 0 9M'"
                + " && qemu-img create -q -f qcow2 -o extended_l2=on,cluster_size=64k -b base.qcow2 -F qcow2 img.qcow2"
                + " && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("data-file", "qemu-img create -q -f qcow2 -o data_file=$PWD/img.data img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("data-file-raw", "qemu-img create -q -f qcow2 -o data_file=$PWD/img.data,data_file_raw=on img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("lazy-dirty", "qemu-img create -q -f qcow2 -o lazy_refcounts=on img.qcow2 9M && (qemu-io -f qcow2 img.qcow2" + DATA
                + " -c 'sigraise 9' || true)");
        m.put("snapshot", "qemu-img create -q -f qcow2 img.qcow2 9M && qemu-io -f qcow2 img.qcow2 -c 'write -P 0x33 0 9M'"
                + " && qemu-img snapshot -c s1 img.qcow2 && qemu-io -f qcow2 img.qcow2" + DATA + " && qemu-img snapshot -c s2 img.qcow2");
        m.put("bitmap", "qemu-img create -q -f qcow2 img.qcow2 9M && qemu-img bitmap --add img.qcow2 b0 && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("prealloc-metadata", "qemu-img create -q -f qcow2 -o preallocation=metadata img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        m.put("prealloc-full", "qemu-img create -q -f qcow2 -o preallocation=full img.qcow2 9M && qemu-io -f qcow2 img.qcow2" + DATA);
        String luks = " --object secret,id=s0,data=pw";
        String luksOpts = " --image-opts driver=qcow2,file.filename=img.qcow2,encrypt.key-secret=s0";
        m.put("luks", "qemu-img create -q -f qcow2" + luks + " -o encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10 img.qcow2 9M"
                + " && qemu-io" + luks + luksOpts + DATA);
        m.put("luks-cbc-essiv-backing", "qemu-img create -q -f qcow2 base.qcow2 9M && qemu-io -f qcow2 base.qcow2 -c 'write -P 0x5a 0 9M'"
                + " && qemu-img create -q -f qcow2" + luks + " -o encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10,"
                + "encrypt.cipher-alg=aes-128,encrypt.cipher-mode=cbc,encrypt.ivgen-alg=essiv,encrypt.hash-alg=sha1 -b base.qcow2 -F qcow2 img.qcow2"
                + " && qemu-io" + luks + luksOpts + DATA);
        m.put("odd-size", "qemu-img create -q -f qcow2 img.qcow2 9437185 && qemu-io -f qcow2 img.qcow2 -c 'write -P 0x42 9000k 216k'");
        return m;
    }

    /** How qemu tools name the image: plain path, or --image-opts with the LUKS secret. */
    static java.util.List<String> qemuImage(String name, Path img) {
        if (!name.startsWith("luks")) return java.util.List.of(img.toString());
        return java.util.List.of("--object", "secret,id=s0,data=pw", "--image-opts",
                "driver=qcow2,file.filename=" + img + ",encrypt.key-secret=s0");
    }

    static String[] cmd(String[] head, java.util.List<String> image, String... tail) {
        java.util.List<String> c = new java.util.ArrayList<>(java.util.List.of(head));
        c.addAll(image);
        c.addAll(java.util.List.of(tail));
        return c.toArray(new String[0]);
    }

    private static final Map<String, Path> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs {@code script} in {@code dir}. Images are made once per JVM and copied (qemu-img's LUKS
     * key derivation alone takes seconds); images naming an absolute data file path are not cached.
     */
    static void make(String script, Path dir) throws Exception {
        if (script.contains("$PWD")) {
            Harness.run("bash", "-c", "cd '" + dir + "' && set -e && " + script);
            return;
        }
        Path cached = CACHE.get(script);
        if (cached == null) {
            cached = java.nio.file.Files.createTempDirectory("jsd-qcow2-img");
            cached.toFile().deleteOnExit();
            Harness.run("bash", "-c", "cd '" + cached + "' && set -e && " + script);
            try (var files = java.nio.file.Files.list(cached)) {
                files.forEach(f -> f.toFile().deleteOnExit());
            }
            CACHE.put(script, cached);
        }
        try (var files = java.nio.file.Files.list(cached)) {
            for (Path f : files.toList()) {
                java.nio.file.Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
