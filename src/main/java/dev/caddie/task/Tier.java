package dev.caddie.task;

import java.util.List;
import java.util.Map;

/**
 * A way to run the task at a given cost and fidelity (micro, local, official).
 *
 * @param command null to use the task's command
 */
public record Tier(String name, String executor, List<String> command, Map<String, String> env, int timeoutSeconds,
                   double costPerHour) {
    /** Worst-case dollars of one run on this tier. */
    public double worstCaseCost() { return costPerHour * timeoutSeconds / 3600.0; }
}
