package dev.caddie.loop;

import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.RunStatus;
import dev.caddie.search.MicroReport;
import dev.caddie.search.MicroRunner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The micro tier before any dearer one: a candidate that crashes, diverges, does not learn or does not fit
 * stops here, for seconds of compute instead of a real run. The loop and the tournament both go through it.
 */
final class MicroGate {
    private final TaskSpec task;
    private final Ledger ledger;
    private final RecordedRuns recorder;

    MicroGate(TaskSpec task, Ledger ledger, RecordedRuns recorder) {
        this.task = task;
        this.ledger = ledger;
        this.recorder = recorder;
    }

    /** Whether a run on next must wait for the micro tier: the task has one and next is not it. */
    boolean appliesBefore(Tier next) {
        return task.tiers().containsKey(MicroRunner.TIER) && !next.name().equals(MicroRunner.TIER);
    }

    /** What the micro run decided, and what it cost. */
    record Outcome(boolean passed, boolean interrupted, long durationMs) {}

    /**
     * Runs the candidate on the micro tier and records the gate; a candidate that stops here gets its
     * verdict (crash, rejected or interrupted) in the ledger.
     */
    Outcome check(long cid, Map<String, String> env, Path wt, long seed, Double bestValue) throws IOException, InterruptedException {
        RecordedRuns.Recorded micro = recorder.execute(cid, task.tier(MicroRunner.TIER), env, wt, seed);
        long ms = micro.outcome().durationMs();
        if (micro.outcome().status() == RunStatus.INTERRUPTED) {
            ledger.addVerdict(cid, micro.runId(), Verdict.INTERRUPTED, "interrupted (Ctrl-C or stop)", bestValue);
            return new Outcome(false, true, ms);
        }
        if (FailureStreak.recordMachineFault(ledger, cid, micro.runId(), micro.outcome(), bestValue, "micro: ")) return new Outcome(false, false, ms);
        MicroReport r = MicroRunner.judge(micro.outcome(), task.limits().artifactBytes(), micro.logFile());
        ledger.addGateResult(cid, micro.runId(), "micro", r.passed(), r.passed()
                ? String.format(Locale.ROOT, "passed: loss %.4f -> %.4f, %s ms/step, artifact %s bytes", r.firstQuarterLoss(), r.lastQuarterLoss(),
                r.stepMs() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.stepMs()), r.artifactBytes()) : r.reason());
        if (!r.passed())
            ledger.addVerdict(cid, micro.runId(), r.crashed() ? Verdict.CRASH : Verdict.REJECTED, "micro: " + r.reason(), bestValue);
        return new Outcome(r.passed(), false, ms);
    }
}
