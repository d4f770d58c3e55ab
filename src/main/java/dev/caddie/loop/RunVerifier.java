package dev.caddie.loop;

import dev.caddie.gate.TierNoise;
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.run.Git;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.task.Tier;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a recorded result by running its commit again (`caddie verify RUN`): a score from another machine of a
 * swarm is taken on trust until a rerun here lands within the tier's seed noise of it. The rerun is recorded as a
 * run of the same candidate, and the comparison as its "verify" gate result.
 */
public final class RunVerifier {
    /** What the rerun showed, and the lines that say so. */
    public record Result(Outcome outcome, long rerunId, List<String> lines) {}

    /** Consistent within noise; inconsistent; not judgeable (no noise measured on the tier, and not equal); the rerun failed. */
    public enum Outcome { CONSISTENT, INCONSISTENT, UNJUDGED, RERUN_FAILED }

    public static final String GATE = "verify";
    /** The tier name a rerun is recorded under: PREFIX + the tier it ran on. */
    public static final String PREFIX = "verify:";

    private final TaskSpec task;
    private final Ledger ledger;
    private final RecordedRuns recorder;

    public RunVerifier(TaskSpec task, Ledger ledger, Runner runner, LoopListener listener) {
        this.task = task;
        this.ledger = ledger;
        this.recorder = new RecordedRuns(task, ledger, runner, listener);
    }

    public Result verify(long runId, String tierName, Long seedGiven) throws IOException, InterruptedException {
        RunRecord run = ledger.run(runId).orElseThrow(() -> new IllegalArgumentException("no run " + runId + " in the ledger (" + ledger.where() + ")"));
        if (!run.status().equals("ok") || run.valBpb() == null)
            throw new IllegalArgumentException("run " + runId + " ended " + run.status() + " without a score: there is nothing to verify");
        Candidate c = ledger.candidate(run.candidateId()).orElseThrow();
        Tier tier = task.tier(tierName != null ? tierName : run.tier());
        List<String> lines = new ArrayList<>();
        lines.add(logIntegrity(run));
        String by = ledger.runWorker(runId);
        lines.add(String.format(Locale.ROOT, "run %d: candidate %d (%s), %s %.6f on %s, seed %d%s", runId, c.id(), c.commit().substring(0, 7),
                task.metric().name(), run.valBpb(), run.tier(), run.seed(), by == null ? "" : ", by worker " + by));

        // the reference: this run's score on its own tier, else the candidate's mean on the chosen one
        var mean = ledger.meanScore(c.id(), tier.name());
        Double reference = tier.name().equals(run.tier()) ? run.valBpb() : mean.isPresent() ? mean.getAsDouble() : null;
        Git git = new Git(task.workspace());
        SwarmWorker.ensureCommit(git, task.swarm().remote(), c.id(), c.commit());
        Path wt = new Workspace(task.workspace()).worktrees().resolve("verify-run" + runId + "-" + ProcessHandle.current().pid());
        Files.createDirectories(wt.getParent());
        git.worktreeAdd(wt, c.commit());
        // measured before the rerun, and the rerun is recorded under a tier of its own ("verify:fast"): a rerun with the
        // same seed is not another seed, and must not shrink the tier's noise or move the candidate's mean
        TierNoise noise = TierNoise.pooled(ledger.scoresPerCandidate(c.tag(), tier.name()));
        Tier as = new Tier(PREFIX + tier.name(), tier.executor(), tier.command(), tier.env(), tier.timeoutSeconds(), tier.costPerHour(), tier.passEnv(), tier.fetch());
        RecordedRuns.Recorded rerun;
        try {
            rerun = recorder.execute(c.id(), as, c.env(), wt, seedGiven != null ? seedGiven : run.seed());
        } finally {
            git.worktreeRemove(wt);
        }
        var out = rerun.outcome();
        if (out.status() != RunStatus.OK || out.summary().score() == null) {
            String why = "the rerun (run " + rerun.runId() + ") ended " + out.status().word + (out.summary() != null && out.summary().score() == null ? " without a score" : "");
            ledger.addGateResult(c.id(), rerun.runId(), GATE, false, why);
            lines.add(why);
            return new Result(Outcome.RERUN_FAILED, rerun.runId(), lines);
        }
        double again = out.summary().score().valBpb();
        lines.add(String.format(Locale.ROOT, "rerun %d on %s: %s %.6f", rerun.runId(), tier.name(), task.metric().name(), again));
        if (reference == null) {
            String first = "no earlier score of this candidate on " + tier.name() + " to compare with; the rerun is its first there";
            ledger.addGateResult(c.id(), rerun.runId(), GATE, true, first);
            lines.add(first);
            return new Result(Outcome.UNJUDGED, rerun.runId(), lines);
        }
        double diff = again - reference;
        boolean judged, consistent;
        String verdict;
        if (noise != null) {
            // two single runs differ by sqrt(2) sigma on average; k of those is what the keep rule calls noise
            double tolerance = task.loop().noiseK() * noise.sigma() * Math.sqrt(2);
            judged = true;
            consistent = Math.abs(diff) <= tolerance;
            verdict = String.format(Locale.ROOT, "%s: the rerun differs by %+.6f, %s the tolerance %.6f (%.1f x sqrt(2) x the tier's seed sigma %.6f from %d seeds)",
                    consistent ? "consistent" : "INCONSISTENT", diff, consistent ? "within" : "outside", tolerance, task.loop().noiseK(), noise.sigma(), noise.seeds());
        } else {
            judged = Math.abs(diff) <= 1e-9 * Math.max(1, Math.abs(reference));
            consistent = judged;
            verdict = judged ? "consistent: the rerun reproduces the score exactly"
                    : String.format(Locale.ROOT, "not judged: the rerun differs by %+.6f and no seed noise is measured on %s yet (run a candidate there with several seeds)", diff, tier.name());
        }
        ledger.addGateResult(c.id(), rerun.runId(), GATE, consistent || !judged, verdict + " (reference run " + runId + ")");
        lines.add(verdict);
        return new Result(!judged ? Outcome.UNJUDGED : consistent ? Outcome.CONSISTENT : Outcome.INCONSISTENT, rerun.runId(), lines);
    }

    /** Whether the log the score came from is the one the run recorded (by SHA-256), or where it is. */
    private static String logIntegrity(RunRecord run) throws IOException {
        if (run.logPath() == null || run.logSha256() == null) return "log: none recorded";
        Path log = Path.of(run.logPath());
        if (!Files.isRegularFile(log)) return "log: " + log + " is not on this machine (recorded SHA-256 " + run.logSha256().substring(0, 12) + "...)";
        String now = Runner.sha256(log);
        if (!now.equals(run.logSha256()))
            throw new IllegalArgumentException("run " + run.id() + "'s log " + log + " no longer matches its recorded SHA-256 (" + run.logSha256().substring(0, 12)
                    + "... recorded, " + now.substring(0, 12) + "... now): the score it holds cannot be trusted, and a rerun would not say why");
        return "log: " + log + " matches its recorded SHA-256";
    }

}
