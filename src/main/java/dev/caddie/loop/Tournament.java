package dev.caddie.loop;

import dev.caddie.gate.CheckpointHalving;
import dev.caddie.gate.KeepRule;
import dev.caddie.gate.TierNoise;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.search.MicroRunner;
import dev.caddie.search.Proposal;
import dev.caddie.search.ProposalContext;
import dev.caddie.search.Proposer;
import dev.caddie.search.Trial;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Asynchronous successive halving (ASHA, Li et al. 2020): candidates start on the smallest rung budget;
 * whenever a candidate is in the best 1/eta of the results finished on its rung, it is promoted to the next,
 * bigger rung, without waiting for stragglers. Promotions go before new candidates, so a stream of
 * candidates (no fixed K, only a compute budget or a stop) keeps feeding the top rung. The last rung is the
 * tier's own budget: each result there is judged at once against the branch's best, so a long tournament
 * keeps the branch current. Rungs are env overrides (e.g. ITERATIONS=50, or MAX_WALLCLOCK_SECONDS=10)
 * applied on top of the tier's; rung runs are recorded under TIER@RUNG. Each candidate passes the micro
 * tier before its first rung when the settings ask for it.
 */
public final class Tournament {
    /** One budget level: a label and the env that sets it (empty for the tier's own budget). */
    public record Rung(String label, Map<String, String> env) {}

    /**
     * How a tournament runs.
     *
     * @param lower         the rungs below the tier's own budget, smallest first
     * @param lowerEnv      env for those rungs only, to make them cheaper still where the script allows
     *                      (Tiny Golf: VAL_MAX_TOKENS=65536 scores a rung on a tenth of the validation split)
     * @param candidates    proposals to start; 0 for no limit (then the budget or a stop ends it)
     * @param eta           keep the best 1/eta of each rung
     * @param budgetSeconds wall-clock seconds of runs (micro runs included) after which no run starts; 0 for no limit
     * @param microFirst    run each candidate on the micro tier before its first rung
     * @param checkpoints   fractions of each rung's budget at which a live run goes on only while its training
     *                      loss is in the best 1/eta of that rung's runs there ({@link CheckpointHalving}); empty for none
     */
    public record Settings(List<Rung> lower, Map<String, String> lowerEnv, int candidates, double eta, double budgetSeconds, boolean microFirst,
                           List<Double> checkpoints) {
        public Settings {
            if (!(eta > 1 && eta <= 100)) throw new IllegalArgumentException("--eta must be above 1 (and at most 100), got " + eta);
            if (candidates < 0 || candidates == 1) throw new IllegalArgumentException("--candidates must be at least 2 (or 0 for no limit with a budget)");
            if (!(budgetSeconds >= 0 && budgetSeconds < 1e12)) throw new IllegalArgumentException("the budget must be a positive number, got " + budgetSeconds);
            lower = List.copyOf(lower);
            lowerEnv = Map.copyOf(lowerEnv);
            checkpoints = List.copyOf(checkpoints);
            new CheckpointHalving(checkpoints, eta, null, List.of()); // refuses bad fractions now, not at the first run
        }

        /** K candidates, no budget, no checkpoints, micro tier as caddie.toml's [loop] micro_first says. */
        public static Settings of(List<Rung> lower, Map<String, String> lowerEnv, int candidates, double eta, boolean microFirst) {
            return new Settings(lower, lowerEnv, candidates, eta, 0, microFirst, List.of());
        }
    }

    /**
     * Who won, and what the whole tournament spent: in full runs (the sum of the rung budgets it ran, in the
     * rung variable's unit, over the tier's own budget; a run stopped at a checkpoint counts for the share it
     * ran) and in wall-clock seconds of runs, micro runs included.
     */
    /** @param halted why the tournament stopped on its own (a run command that cannot start, crashes in a row), or null */
    public record Result(Long winner, List<String> lines, double spentFullRunEquivalents, double spentSeconds, String halted) {}

    private final TaskSpec task;
    private final Ledger ledger;
    private final Runner runner;
    private final RecordedRuns recorder;
    private final CandidateMaker maker;
    private final MicroGate micro;
    private final Proposer proposer;
    private final LoopListener listener;
    private final Git git;
    private final RunCurves curves = new RunCurves();
    private volatile boolean stopping;
    private final CountDownLatch done = new CountDownLatch(1);

    public Tournament(TaskSpec task, Ledger ledger, Runner runner, Proposer proposer, LoopListener listener) {
        this.task = task;
        this.ledger = ledger;
        this.runner = runner;
        this.recorder = new RecordedRuns(task, ledger, runner, listener);
        this.maker = new CandidateMaker(task, ledger, listener);
        this.micro = new MicroGate(task, ledger, recorder);
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
            if (!v.strip().matches("[0-9]+(\\.[0-9]+)?")) throw new IllegalArgumentException("--rungs: '" + v + "' is not a number");
            if (!out.isEmpty() && Double.parseDouble(v.strip()) <= Double.parseDouble(out.get(out.size() - 1).env().get(var)))
                throw new IllegalArgumentException("--rungs: budgets must grow from rung to rung; '" + v.strip() + "' does not");
            out.add(new Rung(var + "=" + v.strip(), Map.of(var, v.strip())));
        }
        return out;
    }

    /**
     * Stops the tournament: the current run is killed and recorded as interrupted, the others get their
     * verdicts. Waits (up to wait) for those records, so a shutdown hook can call it.
     */
    public void stop(Duration wait) {
        stopping = true;
        runner.interrupt();
        try {
            done.await(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** K candidates, no budget, with the micro tier first as caddie.toml asks. */
    public Result run(String tag, Tier tier, List<Rung> lower, int k, double eta, long seed) throws IOException, InterruptedException {
        return run(tag, tier, Settings.of(lower, Map.of(), k, eta, task.loop().microFirst()), seed);
    }

    public Result run(String tag, Tier tier, Settings settings, long seed) throws IOException, InterruptedException {
        List<Rung> rungs = new ArrayList<>();
        for (Rung r : settings.lower()) {
            Map<String, String> env = new LinkedHashMap<>(settings.lowerEnv());
            env.putAll(r.env());
            rungs.add(new Rung(r.label(), env));
        }
        rungs.add(new Rung(tier.name(), Map.of()));
        int top = rungs.size() - 1;
        double eta = settings.eta();
        boolean microFirst = settings.microFirst() && micro.appliesBefore(tier);
        List<String> lines = new ArrayList<>();
        Map<Long, CandidateMaker.Made> alive = new LinkedHashMap<>();
        Map<Long, double[]> scores = new LinkedHashMap<>(); // per candidate, the score on each rung (NaN: not run)
        java.util.Set<Long> judged = new java.util.HashSet<>();
        int started = 0;
        double spentUnits = 0, spentMs = 0;
        String parent = git.revParse(ExperimentLoop.branch(tag));
        List<String> rungTiers = new ArrayList<>();
        Map<String, Double> caps = new LinkedHashMap<>(); // each rung's wall-clock cap in ms, to read a stopped run's progress
        for (int r = 0; r < rungs.size(); r++) {
            Tier t = r == top ? tier : withBudget(tier, rungs.get(r));
            rungTiers.add(t.name());
            Double cap = capMs(task.runEnvironment(t, Map.of(), seed, "run", task.workspace()));
            if (cap != null) caps.put(t.name(), cap);
        }
        FailureStreak failures = new FailureStreak(task.loop().maxConsecutiveFailures());
        String halted = null;
        try {
            while (!stopping) {
                if (settings.budgetSeconds() > 0 && spentMs / 1000.0 >= settings.budgetSeconds()) {
                    note(lines, String.format(Locale.ROOT, "budget of %.0f s of runs spent", settings.budgetSeconds()));
                    break;
                }
                long promote = -1;
                int to = -1;
                for (int r = top - 1; r >= 0 && promote < 0; r--) {
                    final int rr = r;
                    // every finished result counts towards the quota; failed ones (infinite) rank last and never go up
                    List<Long> done = scores.entrySet().stream().filter(e -> !Double.isNaN(e.getValue()[rr]))
                            .sorted(Comparator.comparingDouble(e -> rank(e.getValue()[rr]))).map(Map.Entry::getKey).toList();
                    int quota = (int) Math.floor(done.size() / eta);
                    for (long c : done.subList(0, quota))
                        if (Double.isFinite(scores.get(c)[r]) && Double.isNaN(scores.get(c)[r + 1])) { promote = c; to = r + 1; break; }
                }
                if (promote < 0 && (settings.candidates() == 0 || started < settings.candidates())) {
                    CandidateMaker.Made m = maker.make(tag, parent, propose(tag, rungTiers, caps), proposer.name(), Map.of(), null);
                    started++;
                    if (!m.passed()) continue;
                    alive.put(m.id(), m);
                    if (microFirst) {
                        MicroGate.Outcome o = micro.check(m.id(), m.env(), m.worktree(), seed, null);
                        spentMs += o.durationMs();
                        if (!o.passed()) {
                            judged.add(m.id());
                            maker.remove(alive.remove(m.id()).worktree());
                            note(lines, "candidate " + m.id() + (o.interrupted() ? ": interrupted on the micro tier" : ": stopped by the micro tier"));
                            if ((halted = failures.after(experiment(tag, m.id()))) != null) break;
                            continue;
                        }
                        failures.passed();
                    }
                    double[] s = new double[rungs.size()];
                    java.util.Arrays.fill(s, Double.NaN);
                    scores.put(m.id(), s);
                    if (settings.budgetSeconds() > 0 && spentMs / 1000.0 >= settings.budgetSeconds()) continue; // its micro run spent the rest
                    promote = m.id();
                    to = 0;
                } else if (promote < 0) break;
                CandidateMaker.Made m = alive.get(promote);
                Rung rung = rungs.get(to);
                Tier t = to == top ? tier : withBudget(tier, rung);
                CheckpointHalving halving = settings.checkpoints().isEmpty() ? null
                        : checkpointGate(tag, t, settings, capMs(task.runEnvironment(t, m.env(), seed, "run", m.worktree())));
                RecordedRuns.Recorded run = recorder.execute(m.id(), t, m.env(), m.worktree(), seed, halving, fullRunMs(tag, t.name()));
                boolean halved = run.outcome().status() == RunStatus.ABORTED && halving != null && halving.reason() != null;
                spentUnits += budgetOf(t.env(), settings.lower()) * (halved ? halving.stoppedAt() : 1);
                spentMs += run.outcome().durationMs();
                if (run.outcome().status() == RunStatus.INTERRUPTED) {
                    ledger.addVerdict(m.id(), run.runId(), Verdict.INTERRUPTED, "interrupted (Ctrl-C or stop) on rung " + rung.label(), null);
                    judged.add(m.id());
                    break;
                }
                if (halved) {
                    scores.get(promote)[to] = Double.POSITIVE_INFINITY; // below the cut: it never goes up
                    Long saved = ledger.run(run.runId()).map(RunRecord::savedMs).orElse(null);
                    String why = "aborted early on rung " + rung.label() + ": " + halving.reason()
                            + (saved == null ? "" : String.format(Locale.ROOT, "; saved about %.1f s of compute", saved / 1000.0));
                    ledger.addVerdict(m.id(), run.runId(), Verdict.DISCARD, "tournament: " + why, null);
                    judged.add(m.id());
                    maker.remove(alive.remove(m.id()).worktree());
                    note(lines, "candidate " + m.id() + " " + why);
                    continue;
                }
                if (FailureStreak.recordMachineFault(ledger, m.id(), run.runId(), run.outcome(), null, "tournament: ")) {
                    judged.add(m.id());
                    halted = failures.after(experiment(tag, m.id()));
                    break;
                }
                var score = run.outcome().summary().score();
                Long bytes = run.outcome().summary().artifactBytes();
                boolean fits = bytes != null && bytes <= task.limits().artifactBytes(); // an artifact over the limit cannot win
                scores.get(promote)[to] = run.outcome().status() == RunStatus.OK && score != null && fits ? score.valBpb() : Double.POSITIVE_INFINITY;
                note(lines, String.format(Locale.ROOT, "candidate %d on rung %s: %s", promote, rung.label(),
                        score == null ? run.outcome().status().word : String.format(Locale.ROOT, "%.6f%s", score.valBpb(),
                                fits ? "" : String.format(Locale.ROOT, " (artifact %s bytes, over the limit)", bytes))));
                if (to == top) {
                    judgeTop(tag, tier, promote, run.runId(), scores.get(promote)[top]);
                    judged.add(promote);
                }
            }
            Long winner = scores.entrySet().stream().filter(e -> Double.isFinite(e.getValue()[top]))
                    .min(Comparator.comparingDouble(e -> rank(e.getValue()[top]))).map(Map.Entry::getKey).orElse(null);
            for (var e : scores.entrySet())
                if (!judged.contains(e.getKey())) eliminated(e.getKey(), e.getValue(), rungs);
            double full = budgetOf(tier.env(), settings.lower());
            return new Result(winner, lines, full > 0 ? spentUnits / full : Double.NaN, spentMs / 1000.0, halted);
        } finally {
            for (CandidateMaker.Made m : alive.values()) maker.remove(m.worktree());
            done.countDown();
        }
    }

    private void note(List<String> lines, String line) {
        lines.add(line);
        listener.note(line);
    }

    /**
     * A result on the last rung is judged at once: kept (the branch moved, the candidate offered for
     * promotion) when it beats the branch's best under the loop's keep rule.
     */
    private void judgeTop(String tag, Tier tier, long cid, long runId, double score) throws IOException {
        if (!Double.isFinite(score)) {
            ledger.addVerdict(cid, runId, Verdict.DISCARD, "tournament: failed on the last rung " + tier.name(), null);
            return;
        }
        Double best = ledger.best(tag, task.metric().minimize()).filter(e -> e.candidate().id() != cid)
                .map(e -> ledger.meanScore(e.candidate().id(), tier.name()).orElse(Double.NaN)).orElse(null);
        boolean keep;
        String why;
        if (best == null || best.isNaN()) {
            keep = true;
            why = String.format(Locale.ROOT, "%.6f on %s, the first result on this branch", score, tier.name());
        } else {
            // the loop's keep rule: with the tier's seed noise known (from this tag's multi-seed runs), more than k sigma
            var loop = task.loop();
            KeepRule.Decision d = KeepRule.decide(loop.keepRule(), task.metric(), score, best, loop.keepMargin(), loop.noiseK(),
                    TierNoise.pooled(ledger.scoresPerCandidate(tag, tier.name())), dev.caddie.frontier.CurrentRecord.sota(task, ledger), loop.sotaFraction());
            keep = d.keep();
            why = d.reason() + " on " + tier.name();
        }
        ledger.addVerdict(cid, runId, keep ? Verdict.KEEP : Verdict.DISCARD, "tournament: " + why, best);
        if (keep) {
            git.branchForce(ExperimentLoop.branch(tag), ledger.candidate(cid).orElseThrow().commit());
            Promoter.offer(task, ledger, listener, tag, tier, cid);
        }
    }

    /** A candidate that never reached the last rung: where it stopped, and why. */
    private Experiment experiment(String tag, long cid) {
        return ledger.experiments(tag).stream().filter(e -> e.candidate().id() == cid).findFirst().orElse(null);
    }

    private void eliminated(long cid, double[] s, List<Rung> rungs) throws IOException {
        int last = -1;
        for (int r = 0; r < s.length; r++) if (!Double.isNaN(s[r])) last = r;
        String why = last < 0 ? "never ran (the tournament ended first)" : !Double.isFinite(s[last]) ? "failed on rung " + rungs.get(last).label()
                : String.format(Locale.ROOT, "eliminated after rung %s (%.6f)", rungs.get(last).label(), s[last]);
        ledger.addVerdict(cid, null, Verdict.DISCARD, "tournament: " + why, null);
    }

    /**
     * The checkpoint gate for a run on a rung: its peers are the runs already on that rung in this tag (stopped
     * ones too: ASHA ranks everything that reached a checkpoint), read back from their logs.
     */
    private CheckpointHalving checkpointGate(String tag, Tier t, Settings settings, Double capMs) throws IOException {
        List<List<CheckpointHalving.Point>> peers = new ArrayList<>();
        for (RunRecord r : runsOn(tag, t.name())) {
            List<CheckpointHalving.Point> curve = curves.of(r, capMs);
            if (curve != null) peers.add(curve);
        }
        return new CheckpointHalving(settings.checkpoints(), settings.eta(), capMs, peers);
    }

    /** How far a stopped run got (its last logged position in the budget) and its training loss just before; null without a log. */
    private static Trial.Stopped stopped(RunRecord r, Double capMs, RunCurves curves) throws IOException {
        List<CheckpointHalving.Point> curve = curves.of(r, capMs);
        if (curve == null || curve.isEmpty()) return null;
        double reached = curve.get(curve.size() - 1).position(), loss = CheckpointHalving.valueAt(curve, reached);
        return Double.isFinite(loss) ? new Trial.Stopped(reached, loss) : null;
    }

    /** The wall-clock training cap a run's env sets, in ms (the listener's reading of it); null without one: then checkpoints count steps. */
    private static Double capMs(Map<String, String> env) {
        Double s = RecordedRuns.parseOrNull(env.get("MAX_WALLCLOCK_SECONDS"));
        return s == null || s <= 0 ? null : s * 1000;
    }

    /** A whole run's duration on a rung so far (the median of the finished ones), for the compute a stopped run saved. */
    private Long fullRunMs(String tag, String tierName) {
        List<Long> ms = runsOn(tag, tierName).stream().filter(r -> RunStatus.OK.word.equals(r.status()) && r.durationMs() != null)
                .map(RunRecord::durationMs).sorted().toList();
        return ms.isEmpty() ? null : ms.get(ms.size() / 2);
    }

    /** Every run of a tag on one tier or rung (its ledger name), candidate by candidate. */
    private List<RunRecord> runsOn(String tag, String tierName) {
        List<RunRecord> out = new ArrayList<>();
        for (Experiment e : ledger.experiments(tag))
            for (RunRecord r : ledger.runs(e.candidate().id())) if (r.tier().equals(tierName)) out.add(r);
        return out;
    }

    /** The budget a run had in the rung variable's unit (0 when the tier does not set that variable). */
    private static double budgetOf(Map<String, String> env, List<Rung> lower) {
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
        return new Tier(tier.name() + "@" + rung.label(), tier.executor(), tier.command(), env, tier.timeoutSeconds(), tier.costPerHour(), tier.passEnv(), tier.fetch());
    }

    /** Results a rung needs before the search models it instead of the rung below (BOHB's rule, scaled to small budgets). */
    static final int MODEL_RESULTS = 5;

    /**
     * Asks the proposer with the history of one budget, so it compares like with like: the biggest rung
     * with at least {@link #MODEL_RESULTS} finished results (as BOHB does: short rungs can rank
     * configurations differently from the full budget, e.g. favour small models that step faster), else
     * the first rung. A failed or oversized run, and a candidate the micro tier stopped, count as failures:
     * the search learns where the space breaks the rules. A run stopped at a checkpoint tells how far it got
     * and its training loss there, so the search can rank it below the finished runs and above the failures.
     */
    private Proposal propose(String tag, List<String> rungTiers, Map<String, Double> caps) throws IOException {
        List<Trial> history = history(ledger, tag, rungTiers, task.limits().artifactBytes(), caps, curves);
        return proposer.propose(new ProposalContext(task, tag, history, Map.of(), null, ledger.experiments(tag).size()));
    }

    /**
     * The trials the search learns from (see {@link #propose}); rungTiers are the rungs' ledger names, smallest
     * first, and capsMs their wall-clock caps (a rung without one reads a stopped run's progress in steps).
     */
    static List<Trial> history(Ledger ledger, String tag, List<String> rungTiers, long artifactLimit, Map<String, Double> capsMs,
                               RunCurves curves) throws IOException {
        List<Experiment> past = ledger.experiments(tag);
        Map<Long, List<RunRecord>> runsOf = new LinkedHashMap<>();
        for (Experiment e : past) if (e.run() != null) runsOf.put(e.candidate().id(), ledger.runs(e.candidate().id()));
        String model = rungTiers.get(0);
        for (int r = rungTiers.size() - 1; r > 0; r--) {
            String t = rungTiers.get(r);
            long n = runsOf.values().stream().filter(rs -> rs.stream().anyMatch(x -> x.tier().equals(t) && x.valBpb() != null)).count();
            if (n >= MODEL_RESULTS) { model = t; break; }
        }
        List<Trial> history = new ArrayList<>();
        for (Experiment e : past) {
            List<RunRecord> runs = runsOf.get(e.candidate().id());
            if (runs == null) continue;
            final String m = model;
            var at = runs.stream().filter(r -> r.tier().equals(m)).findFirst();
            // the size a run measured (the model tier's, else the micro run's), for the search's size fit
            RunRecord sized = at.filter(r -> r.artifactBytes() != null)
                    .or(() -> runs.stream().filter(r -> r.artifactBytes() != null).findFirst()).orElse(null);
            Long bytes = sized == null ? null : sized.artifactBytes(), code = sized == null ? null : sized.codeBytes();
            if (at.isPresent()) {
                var r = at.get();
                boolean ok = r.valBpb() != null && r.artifactBytes() != null && r.artifactBytes() <= artifactLimit;
                history.add(new Trial(e.candidate().env(), ok ? r.valBpb() : null, bytes, code, RunStatus.ABORTED.word.equals(r.status()) ? stopped(r, capsMs.get(m), curves) : null));
            } else if (runs.size() == 1 && runs.get(0).tier().equals(MicroRunner.TIER) && e.verdict() != null
                    && (e.verdict().verdict().equals(Verdict.REJECTED) || e.verdict().verdict().equals(Verdict.CRASH))) {
                history.add(new Trial(e.candidate().env(), null, bytes, code));
            }
        }
        return history;
    }
}
