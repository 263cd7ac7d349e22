package io.jsd.qcow2.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * LUKS payload encryption of 512-byte sectors: AES in XTS or CBC mode with plain64 / plain / essiv
 * IVs. XTS is built on AES-ECB (the JDK has no XTS): one ECB pass per sector over the tweaked
 * blocks keeps AES-NI busy. Each call uses its own Cipher objects (they are not thread-safe).
 */
final class SectorCipher {
    static final int SECTOR = 512;

    private final String mode;
    private final String ivgen;
    private final byte[] key1, key2;
    private final byte[] essivKey;
    private final ThreadLocal<Cipher[]> ciphers;

    SectorCipher(String cipherMode, byte[] key) throws GeneralSecurityException {
        // cipherMode is e.g. "xts-plain64", "cbc-essiv:sha256", "cbc-plain"
        int dash = cipherMode.indexOf('-');
        this.mode = dash < 0 ? cipherMode : cipherMode.substring(0, dash);
        this.ivgen = dash < 0 ? "plain" : cipherMode.substring(dash + 1);
        if (mode.equals("xts")) {
            key1 = java.util.Arrays.copyOfRange(key, 0, key.length / 2);
            key2 = java.util.Arrays.copyOfRange(key, key.length / 2, key.length);
        } else if (mode.equals("cbc")) {
            key1 = key;
            key2 = null;
        } else {
            throw new GeneralSecurityException("unsupported cipher mode " + cipherMode);
        }
        if (ivgen.startsWith("essiv:")) {
            String h = ivgen.substring(6);
            essivKey = MessageDigest.getInstance(Luks.javaHash(h)).digest(key);
        } else if (ivgen.equals("plain64") || ivgen.equals("plain")) {
            essivKey = null;
        } else {
            throw new GeneralSecurityException("unsupported IV generator " + ivgen);
        }
        // key schedules are expensive: each thread keeps ciphers initialised once
        // [0] data encrypt, [1] data decrypt (ECB, XTS only), [2] tweak / essiv encrypt, [3] CBC
        this.ciphers = ThreadLocal.withInitial(() -> {
            try {
                Cipher[] c = new Cipher[4];
                if (mode.equals("xts")) {
                    c[0] = Cipher.getInstance("AES/ECB/NoPadding");
                    c[0].init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key1, "AES"));
                    c[1] = Cipher.getInstance("AES/ECB/NoPadding");
                    c[1].init(Cipher.DECRYPT_MODE, new SecretKeySpec(key1, "AES"));
                    c[2] = Cipher.getInstance("AES/ECB/NoPadding");
                    c[2].init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key2, "AES"));
                } else {
                    c[3] = Cipher.getInstance("AES/CBC/NoPadding");
                    if (essivKey != null) {
                        c[2] = Cipher.getInstance("AES/ECB/NoPadding");
                        c[2].init(Cipher.ENCRYPT_MODE, new SecretKeySpec(essivKey, "AES"));
                    }
                }
                return c;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private byte[] iv(long sector) throws GeneralSecurityException {
        byte[] iv = new byte[16];
        long s = ivgen.equals("plain") ? sector & 0xffffffffL : sector;
        for (int i = 0; i < 8; i++) iv[i] = (byte) (s >>> (8 * i));
        if (essivKey != null) iv = ciphers.get()[2].doFinal(iv);
        return iv;
    }

    /** En/decrypts {@code b} in place (position to limit, a multiple of 512) as sectors starting at {@code firstSector}. */
    void apply(boolean encrypt, ByteBuffer b, long firstSector) throws GeneralSecurityException {
        int len = b.remaining();
        byte[] data = new byte[len];
        b.duplicate().get(data);
        for (int off = 0, k = 0; off < len; off += SECTOR, k++) apply(encrypt, data, off, firstSector + k);
        b.duplicate().put(data);
    }

    void apply(boolean encrypt, byte[] d, int off, long sector) throws GeneralSecurityException {
        Cipher[] c = ciphers.get();
        if (mode.equals("cbc")) {
            c[3].init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key1, "AES"), new IvParameterSpec(iv(sector)));
            c[3].doFinal(d, off, SECTOR, d, off);
            return;
        }
        byte[] t = c[2].doFinal(iv(sector));
        byte[] tweaks = new byte[SECTOR];
        for (int j = 0; j < SECTOR / 16; j++) {
            System.arraycopy(t, 0, tweaks, j * 16, 16);
            // multiply the tweak by x in GF(2^128), little-endian
            int carry = 0;
            for (int i = 0; i < 16; i++) {
                int v = t[i] & 0xff;
                t[i] = (byte) ((v << 1) | carry);
                carry = v >>> 7;
            }
            if (carry != 0) t[0] ^= (byte) 0x87;
        }
        for (int i = 0; i < SECTOR; i++) d[off + i] ^= tweaks[i];
        c[encrypt ? 0 : 1].doFinal(d, off, SECTOR, d, off);
        for (int i = 0; i < SECTOR; i++) d[off + i] ^= tweaks[i];
    }
}
