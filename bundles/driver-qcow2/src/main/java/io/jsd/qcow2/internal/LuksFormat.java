package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;

import io.jsd.block.BlockException;

/**
 * Writes a new LUKS1 header with key slot 0 for blockdev-create's {@code encrypt} option, in qemu's
 * layout: header in the first 4 KiB, then eight 4 KiB-aligned key material areas of 4000 stripes.
 */
final class LuksFormat {
    static final int STRIPES = 4000;

    final String cipherMode;
    final String hash;
    final int keyBytes;
    final long iterTimeMs;
    final byte[] masterKey;
    private final SecureRandom rnd = new SecureRandom();

    LuksFormat(String cipherAlg, String mode, String ivgen, String ivgenHash, String hash, long iterTimeMs) throws BlockException {
        int bits = switch (cipherAlg) {
            case "aes-128" -> 128;
            case "aes-192" -> 192;
            case "aes-256" -> 256;
            default -> throw BlockException.unsupported("Unsupported cipher algorithm " + cipherAlg);
        };
        if (!mode.equals("xts") && !mode.equals("cbc")) throw BlockException.unsupported("Unsupported cipher mode " + mode);
        String iv = ivgen.equals("essiv") ? "essiv:" + ivgenHash : ivgen;
        this.cipherMode = mode + "-" + iv;
        this.hash = hash;
        this.keyBytes = bits / 8 * (mode.equals("xts") ? 2 : 1);
        this.iterTimeMs = iterTimeMs;
        this.masterKey = new byte[keyBytes];
        rnd.nextBytes(masterKey);
        try {
            Luks.javaHash(hash);
            new SectorCipher(cipherMode, masterKey);
        } catch (GeneralSecurityException e) {
            throw BlockException.unsupported("LUKS: " + e.getMessage());
        }
    }

    static long slotBytes(int keyBytes) { return ((long) keyBytes * STRIPES + 4095) & ~4095L; }

    /** Bytes of the whole LUKS area (header + 8 key material areas). */
    long length() { return 4096 + 8 * slotBytes(keyBytes); }

    /** The LUKS area to write at the start of the crypto header clusters. */
    byte[] build(byte[] secret) throws BlockException {
        try {
            long per100 = iterationsPer(100);
            int mkIter = (int) Math.max(1000, Math.min(Integer.MAX_VALUE, per100 * iterTimeMs / 100 / 8));
            int slotIter = (int) Math.max(1000, Math.min(Integer.MAX_VALUE, per100 * iterTimeMs / 100));
            byte[] out = new byte[(int) length()];
            ByteBuffer h = ByteBuffer.wrap(out);
            h.put(new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe}).putShort((short) 1);
            put(h, 8, "aes", 32);
            put(h, 40, cipherMode, 32);
            put(h, 72, hash, 32);
            h.putInt(104, (int) (length() / 512));
            h.putInt(108, keyBytes);
            byte[] mkSalt = random(32);
            h.put(112, Luks.pbkdf2(hash, masterKey, mkSalt, mkIter, 20));
            h.put(132, mkSalt);
            h.putInt(164, mkIter);
            put(h, 168, UUID.randomUUID().toString(), 40);
            for (int slot = 0; slot < 8; slot++) {
                int at = 208 + slot * 48;
                long kmOffset = 4096 + slot * slotBytes(keyBytes);
                h.putInt(at + 40, (int) (kmOffset / 512));
                h.putInt(at + 44, STRIPES);
                if (slot != 0) {
                    h.putInt(at, 0x0000DEAD);
                    continue;
                }
                byte[] salt = random(32);
                h.putInt(at, Luks.KEY_ENABLED).putInt(at + 4, slotIter).put(at + 8, salt);
                byte[] slotKey = Luks.pbkdf2(hash, secret, salt, slotIter, keyBytes);
                byte[] km = afSplit();
                byte[] padded = new byte[(int) ((km.length + 511) & ~511L)];
                System.arraycopy(km, 0, padded, 0, km.length);
                SectorCipher c = new SectorCipher(cipherMode, slotKey);
                for (int s = 0; s < padded.length / 512; s++) c.apply(true, padded, s * 512, s);
                System.arraycopy(padded, 0, out, (int) kmOffset, padded.length);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw BlockException.unsupported("LUKS: " + e.getMessage());
        }
    }

    private long iterationsPer(long ms) throws GeneralSecurityException {
        long t0 = System.nanoTime();
        int n = 10_000;
        Luks.pbkdf2(hash, new byte[8], new byte[32], n, 32);
        long ns = Math.max(1, System.nanoTime() - t0);
        return n * ms * 1_000_000L / ns;
    }

    /** LUKS1 anti-forensic split: random stripes, the last one makes the merge yield the key. */
    private byte[] afSplit() throws GeneralSecurityException {
        byte[] split = new byte[keyBytes * STRIPES];
        byte[] d = new byte[keyBytes];
        for (int i = 0; i < STRIPES - 1; i++) {
            byte[] s = random(keyBytes);
            System.arraycopy(s, 0, split, i * keyBytes, keyBytes);
            for (int k = 0; k < keyBytes; k++) d[k] ^= s[k];
            d = Luks.diffuse(hash, d);
        }
        for (int k = 0; k < keyBytes; k++) split[(STRIPES - 1) * keyBytes + k] = (byte) (d[k] ^ masterKey[k]);
        return split;
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static void put(ByteBuffer h, int at, String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        h.put(at, b, 0, Math.min(b.length, max - 1));
    }
}
