package dev.caddie.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Token shards with learnable structure, for running any challenge-format script without its real data
 * (the micro tier). Tokens come from a seeded order-2 Markov source: after the pair (a, b) the next token is,
 * with probability 0.9, one of four tokens fixed by a hash of (a, b) with weights 0.5/0.25/0.15/0.1, and
 * otherwise a fresh draw. Both the successors and the fresh draws follow a Zipf law over the vocabulary,
 * as tokens of real text do, so a model's loss falls within a few dozen steps (unigram statistics) and
 * keeps falling as it learns the context; the source's entropy rate is the floor, and is reported.
 */
public final class SyntheticShards {
    private static final double[] WEIGHTS = {0.5, 0.25, 0.15, 0.1};
    private static final double STRUCTURED = 0.9, ZIPF_EXPONENT = 1.1;
    public static final int SHARD_TOKENS = 100_000_000;

    /** What was written. */
    public record Summary(Path dir, int vocab, long trainTokens, long valTokens, int trainShards, double entropyRateNats) {}

    private SyntheticShards() {}

    /**
     * Writes PREFIX_train_00000N.bin shards holding trainTokens and one PREFIX_val_000000.bin of valTokens; the
     * two splits come from independent streams of the same source.
     */
    /** The most training tokens written: 20 billion (40 GB), well past any use as stand-in data. */
    public static final long MAX_TOKENS = 20_000_000_000L;

    public static Summary write(Path dir, String prefix, int vocab, long trainTokens, long valTokens, long seed) throws IOException {
        if (vocab < 2 || vocab > 65536) throw new IllegalArgumentException("--vocab " + vocab + " is out of range; accepted: 2..65536 (tokens are uint16)");
        if (trainTokens < 2 || valTokens < 2) throw new IllegalArgumentException("--tokens must leave at least 2 tokens for each split");
        if (!prefix.matches("[A-Za-z0-9_-]+")) throw new IllegalArgumentException("--prefix '" + prefix + "' must be letters, digits, '_' or '-'");
        if (trainTokens > MAX_TOKENS) throw new IllegalArgumentException(String.format(
                "--tokens %,d is more than the %,d this writes (the challenge's own training set is about 8 billion tokens)", trainTokens, MAX_TOKENS));
        if (valTokens > SHARD_TOKENS) throw new IllegalArgumentException(String.format("--val-tokens %,d is more than one shard holds (%,d)", valTokens, SHARD_TOKENS));
        Files.createDirectories(dir);
        long need = 2 * (trainTokens + valTokens) + 4096L * (trainTokens / SHARD_TOKENS + 2);
        long free = Files.getFileStore(dir).getUsableSpace();
        if (need > free) throw new IllegalArgumentException(String.format("the shards would take %,d bytes and %s has %,d free; ask for fewer --tokens", need, dir, free));
        int shards = (int) ((trainTokens + SHARD_TOKENS - 1) / SHARD_TOKENS);
        double[] cdf = zipfCdf(vocab);
        SplittableRandom trainRng = new SplittableRandom(seed * 2 + 1);
        int[] state = {0, 1};
        for (int s = 0; s < shards; s++) {
            int n = (int) Math.min(SHARD_TOKENS, trainTokens - (long) s * SHARD_TOKENS);
            TokenShard.write(dir.resolve(String.format("%s_train_%06d.bin", prefix, s)), generate(n, cdf, seed, trainRng, state), 0, n);
        }
        char[] val = generate((int) valTokens, cdf, seed, new SplittableRandom(seed * 2 + 2), new int[]{1, 0});
        TokenShard.write(dir.resolve(prefix + "_val_000000.bin"), val, 0, val.length);
        return new Summary(dir, vocab, trainTokens, valTokens, shards, entropyRate(cdf, seed));
    }

    private static char[] generate(int n, double[] cdf, long seed, SplittableRandom rng, int[] state) {
        char[] out = new char[n];
        int a = state[0], b = state[1];
        for (int i = 0; i < n; i++) {
            int next;
            if (rng.nextDouble() < STRUCTURED) {
                double u = rng.nextDouble();
                int pick = 0;
                while (pick < WEIGHTS.length - 1 && (u -= WEIGHTS[pick]) > 0) pick++;
                next = candidate(a, b, pick, cdf, seed);
            } else next = zipf(cdf, rng.nextDouble());
            out[i] = (char) next;
            a = b;
            b = next;
        }
        state[0] = a;
        state[1] = b;
        return out;
    }

    /** The pick-th likely successor of (a, b): a fixed hash, so the structure is the same in both splits. */
    static int candidate(int a, int b, int pick, double[] cdf, long seed) {
        long h = seed * 0x9E3779B97F4A7C15L + a * 0xC2B2AE3D27D4EB4FL + b * 0x165667B19E3779F9L + pick * 0x27D4EB2F165667C5L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return zipf(cdf, (h >>> 11) * 0x1.0p-53);
    }

    static double[] zipfCdf(int vocab) {
        double[] cdf = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) cdf[i] = sum += Math.pow(i + 1, -ZIPF_EXPONENT);
        for (int i = 0; i < vocab; i++) cdf[i] /= sum;
        return cdf;
    }

    /** The token whose Zipf CDF interval holds u. */
    static int zipf(double[] cdf, double u) {
        int i = java.util.Arrays.binarySearch(cdf, u);
        return Math.min(i >= 0 ? i : -i - 1, cdf.length - 1);
    }

    /**
     * The source's entropy rate in nats per token, averaged over 512 contexts: each context's next-token law
     * is 0.9 times its successor weights plus 0.1 times the Zipf law.
     */
    static double entropyRate(double[] cdf, long seed) {
        int vocab = cdf.length;
        double[] zipf = new double[vocab];
        for (int i = 0; i < vocab; i++) zipf[i] = cdf[i] - (i == 0 ? 0 : cdf[i - 1]);
        SplittableRandom rng = new SplittableRandom(seed + 99);
        double total = 0;
        int contexts = 512;
        for (int c = 0; c < contexts; c++) {
            int a = rng.nextInt(vocab), b = rng.nextInt(vocab);
            java.util.Map<Integer, Double> extra = new java.util.HashMap<>();
            for (int pick = 0; pick < WEIGHTS.length; pick++) extra.merge(candidate(a, b, pick, cdf, seed), STRUCTURED * WEIGHTS[pick], Double::sum);
            double h = 0;
            for (int t = 0; t < vocab; t++) {
                double p = (1 - STRUCTURED) * zipf[t] + extra.getOrDefault(t, 0.0);
                if (p > 0) h -= p * Math.log(p);
            }
            total += h;
        }
        return total / contexts;
    }
}
