package dev.caddie.search;

import java.util.Map;

/** A finished experiment as a proposer sees it: the env it ran with and its score (null when it failed). */
public record Trial(Map<String, String> env, Double value) {
    public boolean failed() { return value == null; }
}
