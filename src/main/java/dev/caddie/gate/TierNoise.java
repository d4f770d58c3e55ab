package dev.caddie.gate;

import java.util.List;

/**
 * How much a tier's score moves between seeds of the same commit: the pooled sample standard deviation over
 * every candidate that has two or more scored seeds on the tier.
 */
public record TierNoise(double sigma, int seeds, int commits) {

    /** Null when no candidate has two scored seeds yet. */
    public static TierNoise pooled(List<List<Double>> scoresPerCandidate) {
        double ss = 0;
        int dof = 0, seeds = 0, commits = 0;
        for (List<Double> xs : scoresPerCandidate) {
            if (xs.size() < 2) continue;
            double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            for (double x : xs) ss += (x - mean) * (x - mean);
            dof += xs.size() - 1;
            seeds += xs.size();
            commits++;
        }
        return dof == 0 ? null : new TierNoise(Math.sqrt(ss / dof), seeds, commits);
    }
}
