package dev.caddie.rules;

import java.util.Arrays;
import java.util.Collection;
import java.util.SplittableRandom;

/**
 * MinHash signatures: the share of equal slots in two signatures estimates the Jaccard similarity of the two sets
 * they were made from, so comparing one item against thousands costs a few hundred long compares each, not a diff.
 * The hash family is fixed (seeded), so signatures stored in the ledger stay comparable across runs.
 */
public final class MinHash {
    private final long[] a, b;

    public MinHash(int hashes) {
        a = new long[hashes];
        b = new long[hashes];
        SplittableRandom r = new SplittableRandom(0x5eed);
        for (int i = 0; i < hashes; i++) {
            a[i] = r.nextLong() | 1;
            b[i] = r.nextLong();
        }
    }

    public int size() { return a.length; }

    /** The signature of a set of strings (duplicates change nothing); all-MAX slots for an empty set. */
    public long[] signature(Collection<String> items) {
        long[] sig = new long[a.length];
        Arrays.fill(sig, Long.MAX_VALUE);
        for (String s : items) {
            long h = mix(s.hashCode() * 0x9E3779B97F4A7C15L + s.length());
            for (int i = 0; i < a.length; i++) {
                long v = mix(a[i] * h + b[i]);
                if (v < sig[i]) sig[i] = v;
            }
        }
        return sig;
    }

    /** Estimated Jaccard similarity: the share of slots where the two signatures agree. */
    public static double similarity(long[] x, long[] y) {
        int n = Math.min(x.length, y.length), same = 0;
        for (int i = 0; i < n; i++) if (x[i] == y[i]) same++;
        return n == 0 ? 0 : same / (double) n;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
