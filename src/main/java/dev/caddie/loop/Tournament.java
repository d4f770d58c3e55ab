package dev.caddie.loop;

import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposal;
import dev.caddie.search.ProposalContext;
import dev.caddie.search.Proposer;
import dev.caddie.search.Trial;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Asynchronous successive halving (ASHA): K candidates start on the smallest rung budget; whenever a
 * candidate is in the best 1/eta of the results finished on its rung, it is promoted to the next, bigger
 * rung, without waiting for stragglers. The last rung is the tier's own budget, so the winner ends with a
 * full result that the keep rule judges like any other. Rungs are env overrides (e.g. ITERATIONS=50, or
 * MAX_WALLCLOCK_SECONDS=10) applied on top of the tier's; rung runs are recorded under TIER@RUNG.
 */
public final class Tournament {
    /** One budget level: a label and the env that sets it (empty for the tier's own budget). */
    public record Rung(String label, Map<String, String> env) {}

    /**
     * Who won, and what the whole tournament spent in full runs: the sum of the rung budgets it ran (steps
     * or seconds of training, the rung variable's unit) over the tier's own budget.
     */
    public record Result(Long winner, List<String> lines, double spentFullRunEquivalents) {}

    private final TaskSpec task;
    private final Ledger ledger;
    private final RecordedRuns recorder;
    private final CandidateMaker maker;
    private final Proposer proposer;
    private final LoopListener listener;
    private final Git git;

    public Tournament(TaskSpec task, Ledger ledger, Runner runner, Proposer proposer, LoopListener listener) {
        this.task = task;
        this.ledger = ledger;
        this.recorder = new RecordedRuns(task, ledger, runner, listener);
        this.maker = new CandidateMaker(task, ledger, listener);
        this.proposer = proposer;
        this.listener = listener;
        this.git = new Git(task.workspace());
    }

    /** Parses "ITERATIONS=50,150" (or MAX_WALLCLOCK_SECONDS=...) into the rungs below the tier's own budget. */
    public static List<Rung> rungs(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("--rungs '" + spec + "' must look like ITERATIONS=50,150 or MAX_WALLCLOCK_SECONDS=10,30");
        String var = spec.substring(0, eq);
        List<Rung> out = new ArrayList<>();
        for (String v : spec.substring(eq + 1).split(",")) {
            if (!v.strip().matches("[0-9.]+")) throw new IllegalArgumentException("--rungs: '" + v + "' is not a number");
            out.add(new Rung(var + "=" + v.strip(), Map.of(var, v.strip())));
        }
        return out;
    }

    public Result run(String tag, Tier tier, List<Rung> lower, int k, double eta, long seed) throws IOException, InterruptedException {
        return run(tag, tier, lower, Map.of(), k, eta, seed);
    }

    /**
     * @param lowerEnv env for the rungs below the last only, to make them cheaper still where the script allows
     *                 (Tiny Golf: VAL_MAX_TOKENS=65536 scores a rung on a tenth of the validation split)
     */
    public Result run(String tag, Tier tier, List<Rung> lower, Map<String, String> lowerEnv, int k, double eta, long seed)
            throws IOException, InterruptedException {
        if (k < 2) throw new IllegalArgumentException("--candidates must be at least 2");
        if (eta <= 1) throw new IllegalArgumentException("--eta must be above 1");
        List<Rung> rungs = new ArrayList<>();
        for (Rung r : lower) {
            Map<String, String> env = new LinkedHashMap<>(lowerEnv);
            env.putAll(r.env());
            rungs.add(new Rung(r.label(), env));
        }
        rungs.add(new Rung(tier.name(), Map.of()));
        List<String> lines = new ArrayList<>();
        Map<Long, CandidateMaker.Made> alive = new LinkedHashMap<>();
        Map<Long, double[]> scores = new LinkedHashMap<>(); // per candidate, the score on each rung (NaN: not run)
        int started = 0;
        double spent = 0;
        Long winner = null;
        String parent = git.revParse(ExperimentLoop.branch(tag));
        try {
            while (true) {
                long promote = -1;
                int to = -1;
                for (int r = rungs.size() - 2; r >= 0 && promote < 0; r--) {
                    final int rr = r;
                    // every finished result counts towards the quota; failed ones (infinite) rank last and never go up
                    List<Long> done = scores.entrySet().stream().filter(e -> !Double.isNaN(e.getValue()[rr]))
                            .sorted(Comparator.comparingDouble(e -> rank(e.getValue()[rr]))).map(Map.Entry::getKey).toList();
                    int quota = (int) Math.floor(done.size() / eta);
                    for (long c : done.subList(0, quota))
                        if (Double.isFinite(scores.get(c)[r]) && Double.isNaN(scores.get(c)[r + 1])) { promote = c; to = r + 1; break; }
                }
                if (promote < 0 && started < k) {
                    CandidateMaker.Made m = maker.make(tag, parent, propose(tag, rungs.size() > 1 ? withBudget(tier, rungs.get(0)).name() : tier.name()),
                            proposer.name(), Map.of(), null);
                    started++;
                    if (!m.passed()) continue;
                    alive.put(m.id(), m);
                    double[] s = new double[rungs.size()];
                    java.util.Arrays.fill(s, Double.NaN);
                    scores.put(m.id(), s);
                    promote = m.id();
                    to = 0;
                } else if (promote < 0) break;
                CandidateMaker.Made m = alive.get(promote);
                Rung rung = rungs.get(to);
                Tier t = rung.env().isEmpty() ? tier : withBudget(tier, rung);
                RecordedRuns.Recorded run = recorder.execute(m.id(), t, m.env(), m.worktree(), seed);
                spent += budgetOf(to == rungs.size() - 1 ? tier.env() : t.env(), lower, tier);
                if (run.outcome().status() == RunStatus.INTERRUPTED) throw new InterruptedException("tournament interrupted");
                var score = run.outcome().summary().score();
                Long bytes = run.outcome().summary().artifactBytes();
                boolean fits = bytes != null && bytes <= task.limits().artifactBytes(); // an artifact over the limit cannot win
                scores.get(promote)[to] = run.outcome().status() == RunStatus.OK && score != null && fits ? score.valBpb() : Double.POSITIVE_INFINITY;
                lines.add(String.format(Locale.ROOT, "candidate %d on rung %s: %s", promote, rung.label(),
                        score == null ? run.outcome().status().word : String.format(Locale.ROOT, "%.6f%s", score.valBpb(),
                                fits ? "" : String.format(Locale.ROOT, " (artifact %s bytes, over the limit)", bytes))));
                listener.note(lines.get(lines.size() - 1));
            }
            int top = rungs.size() - 1;
            winner = scores.entrySet().stream().filter(e -> Double.isFinite(e.getValue()[top]))
                    .min(Comparator.comparingDouble(e -> rank(e.getValue()[top]))).map(Map.Entry::getKey).orElse(null);
            for (var e : scores.entrySet()) verdict(tag, tier, e.getKey(), e.getValue(), rungs, winner);
            double full = budgetOf(tier.env(), lower, tier);
            return new Result(winner, lines, full > 0 ? spent / full : Double.NaN);
        } finally {
            for (CandidateMaker.Made m : alive.values()) maker.remove(m.worktree());
        }
    }

    private void verdict(String tag, Tier tier, long cid, double[] s, List<Rung> rungs, Long winner) throws IOException {
        int last = -1;
        for (int r = 0; r < s.length; r++) if (!Double.isNaN(s[r])) last = r;
        if (winner != null && winner == cid) {
            Double best = ledger.best(tag, task.metric().minimize()).filter(e -> e.candidate().id() != cid)
                    .map(e -> ledger.meanScore(e.candidate().id(), tier.name()).orElse(Double.NaN)).orElse(null);
            boolean keep = best == null || best.isNaN() || task.metric().better(s[last], best);
            ledger.addVerdict(cid, null, keep ? Verdict.KEEP : Verdict.DISCARD, String.format(Locale.ROOT,
                    "tournament winner: %.6f on %s%s", s[last], tier.name(), best == null || best.isNaN() ? "" : String.format(Locale.ROOT,
                            keep ? ", better than the branch's best %.6f" : ", not better than the branch's best %.6f", best)), best);
            if (keep) git.branchForce(ExperimentLoop.branch(tag), ledger.candidate(cid).orElseThrow().commit());
        } else {
            String why = last < 0 || !Double.isFinite(s[last]) ? "failed on rung " + rungs.get(Math.max(last, 0)).label()
                    : String.format(Locale.ROOT, "eliminated after rung %s (%.6f)", rungs.get(last).label(), s[last]);
            ledger.addVerdict(cid, null, Verdict.DISCARD, "tournament: " + why, null);
        }
    }

    /** The budget a run had in the rung variable's unit (0 when the tier does not set that variable). */
    private static double budgetOf(Map<String, String> env, List<Rung> lower, Tier tier) {
        if (lower.isEmpty()) return 1;
        String var = lower.get(0).env().keySet().iterator().next();
        String v = env.get(var);
        try {
            return v == null ? 0 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Lower is better; a failed run (infinite) is the worst whichever way the metric goes. */
    private double rank(double score) {
        if (!Double.isFinite(score)) return Double.POSITIVE_INFINITY;
        return task.metric().minimize() ? score : -score;
    }

    private static Tier withBudget(Tier tier, Rung rung) {
        Map<String, String> env = new LinkedHashMap<>(tier.env());
        env.putAll(rung.env());
        return new Tier(tier.name() + "@" + rung.label(), tier.executor(), tier.command(), env, tier.timeoutSeconds(), tier.costPerHour());
    }

    /**
     * Asks the proposer, with every earlier candidate scored on the first rung: the one budget they all ran,
     * so the search compares like with like (a failed or oversized run counts as a failure).
     */
    private Proposal propose(String tag, String firstRung) throws IOException {
        List<Experiment> past = ledger.experiments(tag);
        List<Trial> history = new ArrayList<>();
        for (Experiment e : past) {
            if (e.run() == null) continue;
            var first = ledger.runs(e.candidate().id()).stream().filter(r -> r.tier().equals(firstRung)).findFirst();
            if (first.isEmpty()) continue;
            var r = first.get();
            boolean ok = r.valBpb() != null && r.artifactBytes() != null && r.artifactBytes() <= task.limits().artifactBytes();
            history.add(new Trial(e.candidate().env(), ok ? r.valBpb() : null));
        }
        return proposer.propose(new ProposalContext(task, tag, history, Map.of(), null, past.size()));
    }
}
