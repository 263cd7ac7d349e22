package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;

import io.jsd.block.BlockException;

/**
 * Compressed cluster descriptors and their decompression (zlib raw deflate or zstd, as the header's
 * compression_type says). Output must fill exactly one cluster, as in qemu.
 */
final class Compressed {
    private Compressed() {}

    /** Host offset of the compressed data. */
    static long hostOffset(long desc, int clusterBits) {
        int x = 62 - (clusterBits - 8);
        return desc & ((1L << x) - 1);
    }

    /** Bytes of compressed data: up to the end of the last sector it uses. */
    static int size(long desc, int clusterBits) {
        int x = 62 - (clusterBits - 8);
        long sectors = ((desc & ((1L << 62) - 1)) >>> x) + 1;
        long off = hostOffset(desc, clusterBits);
        return (int) (sectors * 512 - (off & 511));
    }

    /** First and last host cluster the compressed data touches (for refcounts). */
    static long firstCluster(long desc, int cb) { return hostOffset(desc, cb) >>> cb; }

    static long lastCluster(long desc, int cb) { return (hostOffset(desc, cb) + size(desc, cb) - 1) >>> cb; }

    static byte[] decompress(int type, byte[] in, int inLen, int clusterSize) throws BlockException {
        byte[] out = new byte[clusterSize];
        if (type == 0) {
            Inflater inf = new Inflater(true);
            try {
                inf.setInput(in, 0, inLen);
                int n = 0;
                while (n < clusterSize) {
                    int r = inf.inflate(out, n, clusterSize - n);
                    if (r == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                    n += r;
                }
                if (n != clusterSize) throw BlockException.io("qcow2: compressed cluster is truncated or corrupt", null);
            } catch (DataFormatException e) {
                throw BlockException.io("qcow2: bad zlib data in compressed cluster: " + e.getMessage(), e);
            } finally {
                inf.end();
            }
        } else {
            // qemu's clusters end mid-sector: decode exactly the first frame and ignore the padding
            try {
                long frame = Zstd.findFrameCompressedSize(in, 0, inLen);
                if (Zstd.isError(frame) || frame > inLen) throw BlockException.io("qcow2: bad zstd frame in compressed cluster", null);
                long n = Zstd.decompressByteArray(out, 0, clusterSize, in, 0, (int) frame);
                if (Zstd.isError(n) || n != clusterSize) throw BlockException.io("qcow2: bad zstd data in compressed cluster", null);
            } catch (ZstdException e) {
                // zstd-jni throws for some corrupt frames instead of returning an error code (found by Qcow2ImageFuzzTest)
                throw BlockException.io("qcow2: bad zstd data in compressed cluster: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Reads the compressed bytes, zero-filling anything past the end of the file (qemu does the same). */
    static byte[] readRaw(Qcow2Image img, long desc) throws BlockException {
        long off = hostOffset(desc, img.cb);
        int len = size(desc, img.cb);
        if (off < img.cs || len <= 0 || len > 2 * img.cs + 1024) throw img.corruption("Invalid compressed cluster descriptor", off);
        byte[] in = new byte[len];
        long avail = Math.min(len, img.fileSize() - off);
        if (avail <= 0) throw BlockException.io("qcow2: compressed cluster beyond the end of the image file", null);
        img.file.read(off, ByteBuffer.wrap(in, 0, (int) avail));
        return in;
    }
}
