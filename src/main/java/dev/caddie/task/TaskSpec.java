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
        LoopSettings loop,
        BudgetSettings budget,
        Map<String, AgentSpec> agents,
        Map<String, ExecutorSpec> executors,
        ResearchSettings research,
        CriticSettings critic,
        LlmSettings llm,
        LedgerSettings ledger,
        SwarmSettings swarm) {

    public static final String FILE = "caddie.toml";

    /** Where this task's ledger lives: [ledger] url, else the workspace's SQLite file. */
    public dev.caddie.ledger.LedgerUrl ledgerUrl() { return ledger.resolve(workspace); }

    /** The agent configured as [agent.NAME], or an error naming the ones there are. */
    public AgentSpec agent(String name) {
        AgentSpec a = agents.get(name);
        if (a == null) throw new IllegalArgumentException("no [agent." + name + "] in " + FILE + (agents.isEmpty() ? "" : "; configured: " + String.join(", ", agents.keySet())));
        return a;
    }

    /** The [executor.NAME] a tier's "KIND:NAME" names; null for "local". */
    public ExecutorSpec executor(Tier tier) {
        if (tier.executor().equals("local")) return null;
        ExecutorSpec e = executors.get(tier.executor().substring(tier.executor().indexOf(':') + 1));
        if (e == null) throw new IllegalArgumentException("tier " + tier.name() + " names executor " + tier.executor() + ", which " + FILE + " does not define");
        return e;
    }

    public Tier tier(String tierName) {
        Tier t = tiers.get(tierName);
        if (t == null) throw new IllegalArgumentException("no tier '" + tierName + "' in " + FILE + "; defined: " + String.join(", ", tiers.keySet()));
        return t;
    }

    /**
     * The environment of one run: the task's, then the candidate's, then the tier's, with the placeholders
     * {workspace}, {seed}, {run_id} and {worktree} filled in. The tier comes last because it sets the
     * budget (steps, wall-clock, data): a candidate may not buy itself more compute than its rivals.
     */
    public Map<String, String> runEnvironment(Tier tier, Map<String, String> candidateEnv, long seed, String runId, Path worktree) {
        Map<String, String> env = new java.util.LinkedHashMap<>(this.env);
        env.putAll(candidateEnv);
        env.putAll(tier.env());
        Map<String, String> out = new java.util.LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, v.replace("{workspace}", workspace.toString()).replace("{seed}", Long.toString(seed))
                .replace("{run_id}", runId).replace("{worktree}", worktree.toString())));
        for (String name : tier.passEnv()) {
            String v = System.getenv(name);
            if (v != null) out.putIfAbsent(name, v);
        }
        return out;
    }

    /** The command a tier runs: its own, else the task's. */
    public List<String> command(Tier tier) { return tier.command() != null ? tier.command() : command; }
}
