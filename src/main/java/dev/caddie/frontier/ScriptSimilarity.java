package dev.caddie.frontier;

import dev.caddie.ledger.Submission;
import dev.caddie.rules.ScriptCode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of one script's code another holds: the Jaccard similarity of their normalised line sets, estimated by
 * MinHash signatures (128 hashes per script, computed once per blob), so finding each submission's closest
 * earlier script over thousands costs signatures compared, not scripts diffed.
 */
final class ScriptSimilarity {
    private static final int HASHES = 128;
    private static final long[] A = new long[HASHES], B = new long[HASHES];

    static {
        java.util.SplittableRandom r = new java.util.SplittableRandom(0x5eed);
        for (int i = 0; i < HASHES; i++) {
            A[i] = r.nextLong() | 1;
            B[i] = r.nextLong();
        }
    }

    private final ChallengeRepo repo;
    private final Map<String, long[]> signatures = new HashMap<>();

    ScriptSimilarity(ChallengeRepo repo) { this.repo = repo; }

    /** Estimated Jaccard similarity of the two submissions' scripts; 0 when either has none. */
    double of(Submission a, Submission b) throws IOException {
        long[] x = signature(a), y = signature(b);
        if (x == null || y == null) return 0;
        int same = 0;
        for (int i = 0; i < HASHES; i++) if (x[i] == y[i]) same++;
        return same / (double) HASHES;
    }

    /** The most similar of the candidates (ties: the later one, which holds the most of the history), or null. */
    Submission closest(Submission s, Collection<Submission> candidates) throws IOException {
        if (signature(s) == null) return null;
        Submission best = null;
        double bestSim = 0;
        for (Submission c : candidates) {
            double sim = of(s, c);
            if (sim > 0 && sim >= bestSim) {
                best = c;
                bestSim = sim;
            }
        }
        return best;
    }

    private synchronized long[] signature(Submission s) throws IOException {
        String blob = s.scriptBlob();
        if (blob == null) return null;
        if (signatures.containsKey(blob)) return signatures.get(blob);
        long[] sig = null;
        Submission.File f = s.files().values().stream().filter(x -> x.blob().equals(blob)).findFirst().orElse(null);
        if (f != null && f.size() <= SubmissionFolder.MAX_FILE) {
            try {
                sig = signature(ScriptFingerprint.normalisedLines(ScriptCode.of(Path.of("train_gpt.py"), repo.blob(blob)).code()));
            } catch (IllegalArgumentException e) {
                sig = null; // a wrapper that does not decode
            }
        }
        signatures.put(blob, sig);
        return sig;
    }

    static long[] signature(List<String> lines) {
        if (lines.isEmpty()) return null;
        long[] sig = new long[HASHES];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        for (String l : lines) {
            long h = mix(l.hashCode() * 0x9E3779B97F4A7C15L + l.length());
            for (int i = 0; i < HASHES; i++) {
                long v = mix(A[i] * h + B[i]);
                if (v < sig[i]) sig[i] = v;
            }
        }
        return sig;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
