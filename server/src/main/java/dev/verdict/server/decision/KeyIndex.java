package dev.verdict.server.decision;

/**
 * Keys (permission, role, stage or app keys) to their index, for the hit path: one open-addressing table,
 * built once and read only, each slot's hash beside its index. A look-up compares the stored hash before the
 * string, so a miss or a collision costs no {@code String.equals}, and nothing is boxed (a
 * {@code HashMap<String, Integer>} walks a node, its key and an Integer: three look-ups of it were half of a
 * cached decision's time).
 */
final class KeyIndex {
    private final String[] keys;
    /** For slot s: the key's spread hash at 2s, its index at 2s + 1. */
    private final int[] hashAndIndex;
    private final int mask;

    /** Indexes {@code keys[i]} as {@code i} (a repeated key: its last index, as a map's put would). */
    KeyIndex(String[] keys) {
        int capacity = Integer.highestOneBit(Math.max(4, keys.length * 2 + 1) - 1) << 1;
        this.keys = new String[capacity];
        this.hashAndIndex = new int[capacity * 2];
        this.mask = capacity - 1;
        for (int i = 0; i < keys.length; i++) {
            int hash = spread(keys[i].hashCode());
            int slot = hash & mask;
            while (this.keys[slot] != null && !this.keys[slot].equals(keys[i])) {
                slot = (slot + 1) & mask;
            }
            this.keys[slot] = keys[i];
            hashAndIndex[2 * slot] = hash;
            hashAndIndex[2 * slot + 1] = i;
        }
    }

    /** The index of {@code key}, or {@link Catalogue#NOT_FOUND}. */
    int indexOf(String key) {
        int hash = spread(key.hashCode());
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            String candidate = keys[slot];
            if (candidate == null) {
                return Catalogue.NOT_FOUND;
            }
            if (hashAndIndex[2 * slot] == hash && candidate.equals(key)) {
                return hashAndIndex[2 * slot + 1];
            }
        }
    }

    /** Mixes the high bits in: keys such as "app-0017" differ in their last characters. */
    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
