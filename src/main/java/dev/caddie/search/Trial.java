package dev.caddie.search;

import java.util.Map;

/**
 * A finished experiment as a proposer sees it: the env it ran with, its score (null when it failed or was
 * stopped early), the artifact and script bytes its runs measured (null when none did; a micro run measures
 * them), and for a run a gate stopped early, how far it got and its training loss there.
 */
public record Trial(Map<String, String> env, Double value, Long artifactBytes, Long codeBytes, Stopped stopped) {
    /** A run stopped early (e.g. at a checkpoint): the share of its budget it reached and its training loss there. */
    public record Stopped(double reached, double trainLoss) {}

    public Trial(Map<String, String> env, Double value) { this(env, value, null, null, null); }

    public Trial(Map<String, String> env, Double value, Long artifactBytes, Long codeBytes) { this(env, value, artifactBytes, codeBytes, null); }

    /** No score: it crashed, broke a limit, or was stopped early. */
    public boolean failed() { return value == null; }

    /** A failure that was the size limit's: the artifact was measured over it. */
    public boolean overLimit(long limit) { return value == null && artifactBytes != null && artifactBytes > limit; }
}
