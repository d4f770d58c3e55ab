package dev.caddie.task;

/**
 * [critic]: the gate that judges a candidate's change against history before any compute.
 *
 * @param maxDiffLines the most changed lines (added + removed) a candidate may have; agents that rewrite the file
 *                     are the usual cause of wasted runs
 * @param similarity   the estimated Jaccard similarity of two normalised changes from which they count as the same
 *                     change (0..1)
 * @param enabled      false turns the critic off (its notes and flags too)
 */
public record CriticSettings(int maxDiffLines, double similarity, boolean enabled) {
    public static CriticSettings defaults() { return new CriticSettings(400, 0.9, true); }
}
