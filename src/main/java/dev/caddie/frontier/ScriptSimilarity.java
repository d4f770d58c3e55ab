package dev.caddie.frontier;

import dev.caddie.ledger.Submission;
import dev.caddie.rules.MinHash;
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
    private static final MinHash HASH = new MinHash(128);

    private final ChallengeRepo repo;
    private final Map<String, long[]> signatures = new HashMap<>();

    ScriptSimilarity(ChallengeRepo repo) { this.repo = repo; }

    /** Estimated Jaccard similarity of the two submissions' scripts; 0 when either has none. */
    double of(Submission a, Submission b) throws IOException {
        long[] x = signature(a), y = signature(b);
        if (x == null || y == null) return 0;
        return MinHash.similarity(x, y);
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
        return lines.isEmpty() ? null : HASH.signature(lines);
    }
}
