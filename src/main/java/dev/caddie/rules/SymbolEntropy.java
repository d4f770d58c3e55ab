package dev.caddie.rules;

/** Order-0 (memoryless) Shannon entropy in bits per symbol: the floor no compressor beats on independent symbols. */
public final class SymbolEntropy {
    private SymbolEntropy() {}

    public static double ofBytes(byte[] data) {
        long[] counts = new long[256];
        for (byte b : data) counts[b & 0xff]++;
        return of(counts, data.length);
    }

    /** Entropy of symbols already mapped to 0..alphabet-1. */
    public static double ofSymbols(int[] symbols, int alphabet) {
        long[] counts = new long[alphabet];
        for (int s : symbols) counts[s]++;
        return of(counts, symbols.length);
    }

    static double of(long[] counts, long total) {
        if (total == 0) return 0;
        double h = 0;
        for (long c : counts) {
            if (c == 0) continue;
            double p = (double) c / total;
            h -= p * Math.log(p);
        }
        return h / Math.log(2);
    }
}
