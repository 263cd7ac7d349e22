package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.jsd.block.BlockException;

/**
 * The LUKS1 header qemu stores inside a qcow2 image (crypt_method 2): unlocks a key slot with the
 * passphrase (PBKDF2, anti-forensic merge) and checks the master key against its digest.
 */
final class Luks {
    static final int KEY_ENABLED = 0x00AC71F3;

    private Luks() {}

    /** What query-named-block-nodes shows of the LUKS header (qemu's QCryptoBlockInfoLUKS). */
    static com.fasterxml.jackson.databind.node.ObjectNode describe(ByteBuffer h) {
        // keys in the order QSD prints them
        var o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        String mode = str(h, 40, 32);
        int dash = mode.indexOf('-');
        String cmode = dash < 0 ? mode : mode.substring(0, dash);
        String ivgen = dash < 0 ? "plain" : mode.substring(dash + 1);
        int keyBytes = h.getInt(108);
        if (ivgen.startsWith("essiv:")) {
            o.put("ivgen-alg", "essiv");
            o.put("ivgen-hash-alg", ivgen.substring(6));
        } else {
            o.put("ivgen-alg", ivgen);
        }
        o.put("detached-header", false);
        o.put("hash-alg", str(h, 72, 32));
        o.put("cipher-alg", str(h, 8, 32) + "-" + (cmode.equals("xts") ? keyBytes * 4 : keyBytes * 8));
        o.put("uuid", str(h, 168, 40));
        o.put("format", "luks");
        o.put("cipher-mode", cmode);
        var slots = o.putArray("slots");
        for (int slot = 0; slot < 8; slot++) {
            int at = 208 + slot * 48;
            var so = slots.addObject();
            boolean active = h.getInt(at) == KEY_ENABLED;
            so.put("active", active);
            if (active) so.put("iters", Integer.toUnsignedLong(h.getInt(at + 4)));
            so.put("key-offset", Integer.toUnsignedLong(h.getInt(at + 40)) * 512);
            if (active) so.put("stripes", h.getInt(at + 44));
        }
        o.put("payload-offset", Integer.toUnsignedLong(h.getInt(104)) * 512);
        o.put("master-key-iters", Integer.toUnsignedLong(h.getInt(164)));
        return o;
    }

    /** Opens the LUKS header at {@code offset} in the image file and returns the payload cipher. */
    static SectorCipher unlock(Qcow2Image img, long offset, long length, byte[] secret) throws BlockException {
        if (length < 592 || offset <= 0 || offset + 592 > img.fileSize()) throw BlockException.invalid("qcow2: invalid LUKS header location");
        ByteBuffer h = ByteBuffer.allocate(592);
        img.file.read(offset, h);
        byte[] magic = new byte[6];
        h.get(0, magic);
        if (!java.util.Arrays.equals(magic, new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe})) {
            throw BlockException.invalid("Volume is not in LUKS format");
        }
        if (h.getShort(6) != 1) throw BlockException.unsupported("Unsupported LUKS version " + h.getShort(6));
        String cipherName = str(h, 8, 32), cipherMode = str(h, 40, 32), hash = str(h, 72, 32);
        int keyBytes = h.getInt(108);
        byte[] mkDigest = new byte[20], mkSalt = new byte[32];
        h.get(112, mkDigest);
        h.get(132, mkSalt);
        int mkIter = h.getInt(164);
        if (!cipherName.equals("aes")) throw BlockException.unsupported("Unsupported LUKS cipher " + cipherName);
        if (keyBytes <= 0 || keyBytes > 64) throw BlockException.invalid("Invalid LUKS key size");
        try {
            for (int slot = 0; slot < 8; slot++) {
                int at = 208 + slot * 48;
                if (h.getInt(at) != KEY_ENABLED) continue;
                int iter = h.getInt(at + 4);
                byte[] salt = new byte[32];
                h.get(at + 8, salt);
                long kmOffset = Integer.toUnsignedLong(h.getInt(at + 40)) * 512;
                int stripes = h.getInt(at + 44);
                if (stripes <= 0 || stripes > 4000 || iter <= 0) throw BlockException.invalid("Invalid LUKS key slot " + slot);
                long kmLen = (long) keyBytes * stripes;
                long kmSectors = (kmLen + 511) / 512;
                if (kmOffset + kmSectors * 512 > length || offset + kmOffset + kmSectors * 512 > img.fileSize()) {
                    throw BlockException.invalid("LUKS key material beyond the header");
                }
                byte[] slotKey = pbkdf2(hash, secret, salt, iter, keyBytes);
                byte[] km = new byte[(int) (kmSectors * 512)];
                img.file.read(offset + kmOffset, ByteBuffer.wrap(km));
                SectorCipher kc = new SectorCipher(cipherMode, slotKey);
                for (int s = 0; s < kmSectors; s++) kc.apply(false, km, s * 512, s);
                byte[] mk = afMerge(hash, km, keyBytes, stripes);
                if (MessageDigest.isEqual(pbkdf2(hash, mk, mkSalt, mkIter, 20), mkDigest)) {
                    img.cryptoInfo = describe(h);
                    return new SectorCipher(cipherMode, mk);
                }
            }
        } catch (GeneralSecurityException e) {
            throw BlockException.unsupported("LUKS: " + e.getMessage());
        }
        throw new BlockException(BlockException.Kind.PERMISSION, "Invalid password, cannot unlock any keyslot");
    }

    private static String str(ByteBuffer b, int at, int len) {
        byte[] a = new byte[len];
        b.get(at, a);
        int n = 0;
        while (n < len && a[n] != 0) n++;
        return new String(a, 0, n, StandardCharsets.US_ASCII);
    }

    static String javaHash(String luksHash) throws GeneralSecurityException {
        return switch (luksHash) {
            case "sha1" -> "SHA-1";
            case "sha224" -> "SHA-224";
            case "sha256" -> "SHA-256";
            case "sha384" -> "SHA-384";
            case "sha512" -> "SHA-512";
            default -> throw new GeneralSecurityException("unsupported hash " + luksHash);
        };
    }

    /** PBKDF2 with HMAC over arbitrary bytes (the JDK's PBEKeySpec only takes chars). */
    static byte[] pbkdf2(String hash, byte[] password, byte[] salt, int iterations, int len) throws GeneralSecurityException {
        String alg = "Hmac" + javaHash(hash).replace("-", "");
        Mac mac = Mac.getInstance(alg);
        // SecretKeySpec refuses an empty key; HMAC pads keys with zeroes, so one zero byte is the same key
        mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, alg));
        int hl = mac.getMacLength();
        byte[] out = new byte[len];
        for (int block = 1, pos = 0; pos < len; block++) {
            mac.update(salt);
            byte[] u = mac.doFinal(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
            byte[] t = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int k = 0; k < hl; k++) t[k] ^= u[k];
            }
            int n = Math.min(hl, len - pos);
            System.arraycopy(t, 0, out, pos, n);
            pos += n;
        }
        return out;
    }

    /** LUKS1 anti-forensic merge: d = H(d ^ s_i) over all stripes but the last, key = d ^ s_last. */
    static byte[] afMerge(String hash, byte[] split, int keyBytes, int stripes) throws GeneralSecurityException {
        byte[] d = new byte[keyBytes];
        for (int i = 0; i < stripes - 1; i++) {
            for (int k = 0; k < keyBytes; k++) d[k] ^= split[i * keyBytes + k];
            d = diffuse(hash, d);
        }
        byte[] key = new byte[keyBytes];
        for (int k = 0; k < keyBytes; k++) key[k] = (byte) (d[k] ^ split[(stripes - 1) * keyBytes + k]);
        return key;
    }

    static byte[] diffuse(String hash, byte[] d) throws GeneralSecurityException {
        MessageDigest md = MessageDigest.getInstance(javaHash(hash));
        int dl = md.getDigestLength();
        byte[] out = new byte[d.length];
        for (int j = 0, pos = 0; pos < d.length; j++, pos += dl) {
            int n = Math.min(dl, d.length - pos);
            md.reset();
            md.update(new byte[] {(byte) (j >>> 24), (byte) (j >>> 16), (byte) (j >>> 8), (byte) j});
            md.update(d, pos, n);
            System.arraycopy(md.digest(), 0, out, pos, n);
        }
        return out;
    }
}
