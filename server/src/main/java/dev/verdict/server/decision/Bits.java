package dev.verdict.server.decision;

/** Bitsets as {@code long[]} words; small and allocation-free to test. */
final class Bits {
    private Bits() {}

    static int words(int bits) {
        return Math.max(1, (bits + 63) >>> 6);
    }

    static boolean test(long[] bits, int offsetWords, int bit) {
        return (bits[offsetWords + (bit >>> 6)] & (1L << bit)) != 0;
    }

    static void set(long[] bits, int offsetWords, int bit) {
        bits[offsetWords + (bit >>> 6)] |= 1L << bit;
    }

    /** ORs {@code source} (all its words) into {@code target} from {@code offsetWords}. */
    static void or(long[] target, int offsetWords, long[] source) {
        for (int i = 0; i < source.length; i++) {
            target[offsetWords + i] |= source[i];
        }
    }
}
