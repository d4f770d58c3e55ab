package dev.caddie.task;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What is being optimised, as written in caddie.toml: the workspace (a git repo), the editable files, the
 * run command, the metric, the limits, the protected files, the tiers and the search space.
 */
public record TaskSpec(
        Path workspace,
        String name,
        String script,
        List<String> editable,
        List<String> command,
        Map<String, String> env,
        Metric metric,
        Limits limits,
        Map<String, String> protectedFiles,
        Map<String, Tier> tiers,
        List<SearchParam> search,
        String loopTier,
        double keepMargin) {

    public static final String FILE = "caddie.toml";

    public Tier tier(String tierName) {
        Tier t = tiers.get(tierName);
        if (t == null) throw new IllegalArgumentException("no tier '" + tierName + "' in " + FILE + "; defined: " + String.join(", ", tiers.keySet()));
        return t;
    }

    public Path dataDir() { return workspace.resolve(".caddie"); }
}
