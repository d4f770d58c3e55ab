package dev.caddie.loop;

import dev.caddie.gate.TierTransfer;
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Promotion;
import dev.caddie.run.Git;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.search.MicroRunner;
import dev.caddie.task.BudgetSettings;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Spends the dear tier only on candidates the cheap tiers have earned: takes kept candidates from the
 * promotion queue, reserves each run's worst-case cost before it starts, settles the real cost after, and
 * gives a result that beats the best promoted one more seeds, so the significance rule can be applied.
 */
public final class Promoter {
    private final TaskSpec task;
    private final Ledger ledger;
    private final RecordedRuns recorder;
    private final Runner runner;
    private final LoopListener listener;
    private final Git git;
    private final Workspace ws;

    private static final String MACHINE_FAULT = " (the machine, not the candidate; requeued): ";

    public Promoter(TaskSpec task, Ledger ledger, Runner runner, LoopListener listener) {
        this.task = task;
        this.ledger = ledger;
        this.recorder = new RecordedRuns(task, ledger, runner, listener);
        this.runner = runner;
        this.listener = listener;
        this.git = new Git(task.workspace());
        this.ws = new Workspace(task.workspace());
    }

    /**
     * Offers a candidate kept on a cheaper tier for promotion to the dear one. Once enough commits are scored
     * on both tiers, the queue takes only candidates whose predicted dear-tier score beats the best seen there;
     * the prediction and its interval go with the promotion. The loop and the tournament both offer their keeps.
     */
    public static void offer(TaskSpec task, Ledger ledger, LoopListener listener, String tag, Tier tier, long cid) {
        String promote = task.budget().promoteTier();
        if (tier.name().equals(promote) || tier.name().equals(MicroRunner.TIER)) return;
        String reason = "kept on " + tier.name();
        // The critic flagged a kind of change that often fails to carry to the full run: more evidence is asked of it.
        String risk = ledger.gateResults(cid).stream().filter(g -> g.gate().equals(dev.caddie.gate.Critic.SCALE)).map(g -> g.reason()).findFirst().orElse(null);
        TierTransfer transfer = Calibration.fit(ledger, tag, tier.name(), promote);
        double[] ref = Calibration.reference(ledger, tag, tier.name(), promote);
        if (transfer.n() >= Calibration.MIN_PAIRS && transfer.usable() && ref != null) {
            double cheapDelta = ledger.meanScore(cid, tier.name()).orElseThrow() - ref[0];
            TierTransfer.Prediction p = transfer.predict(cheapDelta, 0.9);
            double bestDear = transfer.pairs().stream().mapToDouble(TierTransfer.Pair::dearDelta)
                    .reduce(task.metric().minimize() ? Double::min : Double::max).orElse(0);
            reason = String.format(Locale.ROOT, "predicted %s %.6f on %s (90%% interval %.6f..%.6f) against the best there %.6f, from %d calibrated commits",
                    task.metric().name(), ref[1] + p.mean(), promote, ref[1] + p.low(), ref[1] + p.high(), ref[1] + bestDear, transfer.n());
            // A scale-risky change must win at the pessimistic end of the interval, not just on the mean.
            double judged = risk == null ? p.mean() : task.metric().minimize() ? p.high() : p.low();
            if (risk != null) reason += "; " + risk.replaceFirst("^scale risk: ", "scale risk (judged at the pessimistic end of the interval): ");
            if (!task.metric().better(judged, bestDear)) {
                listener.note("candidate " + cid + " not promoted: " + reason);
                return;
            }
        }
        else if (risk != null) {
            // Uncalibrated there is no interval to judge it by: it goes, with the risk said, and its dear-tier seeds decide.
            reason += "; " + risk + " (no calibration yet: its " + promote + " seeds decide)";
        }
        if (ledger.enqueuePromotion(cid, promote, reason)) listener.note("candidate " + cid + " queued for promotion to " + promote + ": " + reason);
    }

    /** Works through the queue of a tag until it is empty, the budget refuses, or max promotions are done. */
    public List<String> run(String tag, int max, long seed) throws IOException, InterruptedException {
        for (Long id : ledger.recoverInterrupted(runner.executors())) listener.note("run " + id + " was left running by a Caddie that died: marked interrupted");
        for (String reaped : runner.executors().reapAll(task.workspace(), ledger.liveRemotes())) listener.note(reaped);
        BudgetSettings b = task.budget();
        Tier tier = task.tier(b.promoteTier());
        List<String> said = new ArrayList<>();
        for (int done = 0; done < max; done++) {
            var claimed = ledger.claimPromotion(tag, tier.name());
            if (claimed.isEmpty()) break;
            Promotion p = claimed.get();
            Candidate c = ledger.candidate(p.candidateId()).orElseThrow();
            String outcome = promote(c, tier, seed);
            boolean refused = outcome.startsWith("budget:");
            // Stopped, or the machine failed rather than the candidate: it goes back to the queue for the next start.
            boolean interrupted = outcome.endsWith("ended interrupted") || outcome.contains(MACHINE_FAULT);
            ledger.setPromotion(p.id(), refused ? Promotion.REFUSED : interrupted ? Promotion.QUEUED : Promotion.DONE, outcome);
            said.add("candidate " + c.id() + ": " + outcome);
            listener.note("promotion of candidate " + c.id() + ": " + outcome);
            if (refused || interrupted) break;
        }
        return said;
    }

    private String promote(Candidate c, Tier tier, long seed) throws IOException, InterruptedException {
        Double frontier = frontier(c.id(), tier.name());
        Files.createDirectories(ws.worktrees());
        Path wt = Files.createTempDirectory(ws.worktrees(), "promote-");
        Files.delete(wt);
        git.worktreeAdd(wt, c.commit());
        try {
            String first = runSeed(c, tier, wt, seed);
            if (first != null) return first;
            double score = ledger.meanScore(c.id(), tier.name()).orElseThrow();
            if (frontier != null && !task.metric().better(score, frontier))
                return String.format(Locale.ROOT, "%s %.6f does not beat the best promoted result %.6f; no more seeds", task.metric().name(), score, frontier);
            for (int s = 1; ledger.scores(c.id(), tier.name()).size() < task.budget().seeds() && s < 2 * task.budget().seeds(); s++) {
                String refusal = runSeed(c, tier, wt, seed + s);
                if (refusal != null && refusal.startsWith("budget:")) return "seeds stopped early: " + refusal.substring(8);
            }
            List<Double> scores = ledger.scores(c.id(), tier.name());
            return String.format(Locale.ROOT, "%s mean %.6f over %d seed(s)%s", task.metric().name(),
                    scores.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), scores.size(),
                    frontier == null ? " (the first promoted result)" : String.format(Locale.ROOT, "; the best before was %.6f", frontier));
        } finally {
            git.worktreeRemove(wt);
        }
    }

    /** One reserved, run and settled seed; returns null when it produced a score, else why not. */
    private String runSeed(Candidate c, Tier tier, Path wt, long seed) throws IOException, InterruptedException {
        BudgetSettings b = task.budget();
        Ledger.ReserveResult r = ledger.reserve(c.id(), tier.name(), tier.worstCaseCost(), tier.costPerHour(), b.dollars(), b.reserveFloor(),
                b.minIntervalMinutes() * 60_000L);
        if (!r.granted()) return r.refusal();
        long reservation = r.reservation().id();
        RecordedRuns.Recorded run;
        try {
            run = recorder.execute(c.id(), tier, c.env(), wt, seed, null, null, runId -> ledger.attachRun(reservation, runId));
        } catch (IOException | RuntimeException e) {
            ledger.release(reservation, "the run could not start: " + e.getMessage());
            throw e;
        }
        ledger.settle(reservation, ledger.run(run.runId()).map(x -> x.costUsd()).orElse(0.0));
        if (run.outcome().status().machineFault())
            return "the " + tier.name() + " run ended " + run.outcome().status().word + MACHINE_FAULT + run.outcome().errorText();
        if (run.outcome().status() != RunStatus.OK) return "the " + tier.name() + " run ended " + run.outcome().status().word;
        return run.outcome().summary().score() == null ? "no score" : null;
    }

    /** The best mean score on the tier among the other promoted candidates. */
    private Double frontier(long exclude, String tier) {
        Double best = null;
        for (Promotion p : ledger.promotions()) {
            if (p.candidateId() == exclude || !p.tier().equals(tier)) continue;
            OptionalDouble m = ledger.meanScore(p.candidateId(), tier);
            if (m.isPresent() && (best == null || task.metric().better(m.getAsDouble(), best))) best = m.getAsDouble();
        }
        return best;
    }
}
