package dev.caddie.search;

import java.util.Map;

/**
 * A finished experiment as a proposer sees it: the env it ran with, its score (null when it failed), and the
 * artifact and script bytes its runs measured (null when none did; a micro run measures them).
 */
public record Trial(Map<String, String> env, Double value, Long artifactBytes, Long codeBytes) {
    public Trial(Map<String, String> env, Double value) { this(env, value, null, null); }

    public boolean failed() { return value == null; }

    /** A failure that was the size limit's: the artifact was measured over it. */
    public boolean overLimit(long limit) { return value == null && artifactBytes != null && artifactBytes > limit; }
}
