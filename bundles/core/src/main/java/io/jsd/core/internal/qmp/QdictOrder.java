package io.jsd.core.internal.qmp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which unexpected member qemu names when there are several: its input visitor keeps an object's
 * unvisited keys in a GLib hash table (inserted in QDict order, removed as members are visited) and
 * reports the first one its iterator finds. This replays QDict's bucket order (qobject/qdict.c) and
 * GHashTable's probing, resizing and iteration (GLib 2.74, as QSD 10 links it), so JSD names the
 * same member. Checked against qemu-storage-daemon on random key sets.
 */
final class QdictOrder {
    private static final int[] PRIME_MOD = {1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749,
            65521, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689,
            268435399, 536870909, 1073741789, 2147483647};
    private static final int MIN_SHIFT = 3;

    private int size, mod, mask, nnodes, noccupied;
    private int[] hashes;
    private String[] keys;

    private QdictOrder() {
        setShift(MIN_SHIFT);
        hashes = new int[size];
        keys = new String[size];
    }

    /** The member qemu reports as unexpected: {@code all} keys (JSON text order), {@code visited} in visit order. */
    static String first(List<String> all, List<String> visited) {
        QdictOrder t = new QdictOrder();
        for (String k : qdictOrder(all)) t.insert(k);
        for (String k : visited) t.remove(k);
        for (int i = 0; i < t.size; i++) if (real(t.hashes[i])) return t.keys[i];
        return null;
    }

    /** QDict iteration order: buckets by tdb_hash % 512, the newest key first within a bucket. */
    static List<String> qdictOrder(List<String> keys) {
        Map<Integer, List<String>> buckets = new TreeMap<>();
        for (String k : keys) {
            List<String> b = buckets.computeIfAbsent(Integer.remainderUnsigned(tdbHash(k), 512), x -> new ArrayList<>());
            if (!b.contains(k)) b.addFirst(k);
        }
        List<String> out = new ArrayList<>();
        buckets.values().forEach(out::addAll);
        return out;
    }

    private static int tdbHash(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        int value = 0x238F13AF * b.length;
        for (int i = 0; i < b.length; i++) value += (b[i] & 0xff) << (i * 5 % 24);
        return 1103515243 * value + 12345;
    }

    private static int strHash(String s) {
        int h = 5381;
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) h = h * 33 + c; // g_str_hash reads signed chars
        return h;
    }

    private static boolean real(int h) { return Integer.compareUnsigned(h, 2) >= 0; }

    private void setShift(int shift) {
        size = 1 << shift;
        mod = PRIME_MOD[shift];
        mask = size - 1;
    }

    private int index(int hash) { return Integer.remainderUnsigned(hash * 11, mod); }

    private static int hashOf(String k) {
        int h = strHash(k);
        return real(h) ? h : 2;
    }

    /** g_hash_table_lookup_node: the key's slot, or where it would go (the first tombstone passed). */
    private int lookup(String k, int h) {
        int i = index(h), step = 0, tombstone = -1;
        while (hashes[i] != 0) {
            if (hashes[i] == h && k.equals(keys[i])) return i;
            if (hashes[i] == 1 && tombstone < 0) tombstone = i;
            step++;
            i = (i + step) & mask;
        }
        return tombstone >= 0 ? tombstone : i;
    }

    private void insert(String k) {
        int h = hashOf(k);
        int i = lookup(k, h);
        int old = hashes[i];
        if (real(old)) return;
        hashes[i] = h;
        keys[i] = k;
        nnodes++;
        if (old == 0) {
            noccupied++;
            maybeResize();
        }
    }

    private void remove(String k) {
        int h = hashOf(k);
        int i = lookup(k, h);
        if (!real(hashes[i]) || !k.equals(keys[i])) return;
        hashes[i] = 1;
        keys[i] = null;
        nnodes--;
        maybeResize();
    }

    private void maybeResize() {
        if ((size > nnodes * 4 && size > 1 << MIN_SHIFT) || size <= noccupied + noccupied / 16) resize();
    }

    /** GLib's in-place rehash: slots are walked in order, evicting whatever sits where an entry belongs. */
    private void resize() {
        int oldSize = size;
        int n = (int) (nnodes * 1.333), shift = 0;
        while (n != 0) {
            n >>= 1;
            shift++;
        }
        setShift(Math.max(shift, MIN_SHIFT));
        if (size > oldSize) {
            hashes = java.util.Arrays.copyOf(hashes, size);
            keys = java.util.Arrays.copyOf(keys, size);
        }
        boolean[] placed = new boolean[Math.max(Math.max(size, oldSize), 32)];
        for (int i = 0; i < oldSize; i++) {
            int nodeHash = hashes[i];
            if (!real(nodeHash)) {
                hashes[i] = 0;
                continue;
            }
            if (placed[i]) continue;
            hashes[i] = 0;
            String key = keys[i];
            keys[i] = null;
            while (true) {
                int at = index(nodeHash), step = 0;
                while (placed[at]) {
                    step++;
                    at = (at + step) & mask;
                }
                placed[at] = true;
                int replaced = hashes[at];
                hashes[at] = nodeHash;
                if (!real(replaced)) {
                    keys[at] = key;
                    break;
                }
                nodeHash = replaced;
                String evicted = keys[at];
                keys[at] = key;
                key = evicted;
            }
        }
        if (size < oldSize) {
            hashes = java.util.Arrays.copyOf(hashes, size);
            keys = java.util.Arrays.copyOf(keys, size);
        }
        noccupied = nnodes;
    }
}
