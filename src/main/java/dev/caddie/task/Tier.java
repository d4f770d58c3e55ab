package dev.caddie.task;

import java.util.List;
import java.util.Map;

/**
 * A way to run the task at a given cost and fidelity (micro, local, official).
 *
 * @param command null to use the task's command
 * @param passEnv names of Caddie's environment variables that hold credentials and that this tier's runs get
 *                (e.g. HF_TOKEN); every other secret-looking variable is kept from the run
 * @param executor "local", or "KIND:NAME" for an [executor.NAME] table (ssh:gpu1, slurm:campus)
 * @param fetch    files a remote run writes (relative to its folder; glob patterns such as final_model.* too) that are
 *                 brought back beside its log
 */
public record Tier(String name, String executor, List<String> command, Map<String, String> env, int timeoutSeconds,
                   double costPerHour, List<String> passEnv, List<String> fetch) {
    public Tier {
        passEnv = passEnv == null ? List.of() : List.copyOf(passEnv);
        fetch = fetch == null ? List.of() : List.copyOf(fetch);
    }

    public Tier(String name, String executor, List<String> command, Map<String, String> env, int timeoutSeconds,
                double costPerHour, List<String> passEnv) {
        this(name, executor, command, env, timeoutSeconds, costPerHour, passEnv, List.of());
    }

    /** Worst-case dollars of one run on this tier. */
    public double worstCaseCost() { return costPerHour * timeoutSeconds / 3600.0; }
}
