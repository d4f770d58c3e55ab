package dev.caddie.loop;

import dev.caddie.gate.LiveGate;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.run.LiveProgress;
import dev.caddie.run.RunHandle;
import dev.caddie.run.RunOutcome;
import dev.caddie.run.RunSpec;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Runs one seed of a candidate on a tier with the ledger written before it starts and after it ends. */
final class RecordedRuns {
    private final TaskSpec task;
    private final Ledger ledger;
    private final Runner runner;
    private final LoopListener listener;
    private final Workspace ws;

    RecordedRuns(TaskSpec task, Ledger ledger, Runner runner, LoopListener listener) {
        this.task = task;
        this.ledger = ledger;
        this.runner = runner;
        this.listener = listener;
        this.ws = new Workspace(task.workspace());
    }

    /** A run recorded in the ledger from start to finish. */
    public record Recorded(long runId, RunOutcome outcome, Path logFile) {}

    public Recorded execute(long cid, Tier tier, Map<String, String> env, Path wt, long seed) throws IOException, InterruptedException {
        return execute(cid, tier, env, wt, seed, null, null);
    }

    /**
     * Runs one seed on a tier and records it; with a live gate (the early-abort oracle, checkpoint halving), a
     * run the gate stops is recorded as aborted with the compute it did not spend (a full run's duration,
     * referenceMs, minus its own).
     */
    public Recorded execute(long cid, Tier tier, Map<String, String> env, Path wt, long seed, LiveGate oracle, Long referenceMs)
            throws IOException, InterruptedException {
        Recorded r = execute(cid, tier, env, wt, seed, oracle, referenceMs, runId -> {});
        // A scheduler that takes the machine away says nothing about the candidate: run it once more, recorded as a
        // run of its own. (A promotion is not retried here: its reservation covers one run, so it goes back to the queue.)
        if (r.outcome().status() != RunStatus.PREEMPTED) return r;
        listener.note("run " + r.runId() + " was preempted (" + r.outcome().errorText() + "); running it once more");
        return execute(cid, tier, env, wt, seed, oracle, referenceMs, runId -> {});
    }

    /** As above; started hears the run's ledger id before its command starts (a reservation is tied to it). */
    public Recorded execute(long cid, Tier tier, Map<String, String> env, Path wt, long seed, LiveGate oracle, Long referenceMs,
                            java.util.function.LongConsumer started) throws IOException, InterruptedException {
        long runId = ledger.startRun(cid, tier.name(), seed, tier.executor(), null);
        started.accept(runId);
        Path logFile = ws.runDir(runId).resolve("log.txt");
        ledger.setRunLog(runId, logFile.toString());
        Map<String, String> runEnv = task.runEnvironment(tier, env, seed, "run" + runId, wt);
        Double trainSeconds = parseOrNull(runEnv.get("MAX_WALLCLOCK_SECONDS"));
        listener.runStarted(runId, tier.name(), tier.timeoutSeconds(), trainSeconds);
        long t0 = System.currentTimeMillis();
        String[] abortReason = new String[1];
        RunSpec spec = new RunSpec(wt, task.command(tier), runEnv, Duration.ofSeconds(tier.timeoutSeconds()), logFile, tier.executor(),
                task.workspace(), task.protectedFiles(), tier.fetch(), "run" + runId);
        RunOutcome out = runner.run(spec, new Runner.Listener() {
            @Override public void started(RunHandle h) {
                // Written before Caddie waits on the run: if Caddie dies, the next start finds it by this and stops it.
                if (h.remote() != null) ledger.runRemote(runId, h.remote());
                else ledger.runProcess(runId, h.pid(), h.startedAt());
            }

            @Override public void line(String line, LiveProgress p) {
                listener.progress(p, System.currentTimeMillis() - t0);
                if (oracle == null || abortReason[0] != null) return;
                if (oracle.stop(p)) {
                    abortReason[0] = oracle.reason();
                    runner.abort();
                }
            }
        });
        finish(runId, tier, out, abortReason[0]);
        if (out.status() == RunStatus.ABORTED && referenceMs != null) ledger.setSaved(runId, Math.max(0, referenceMs - out.durationMs()));
        return new Recorded(runId, out, logFile);
    }

    /** The run's ending, score and cost (the tier's rate for all of its time, queue and boot included) in the ledger. */
    private void finish(long runId, Tier tier, RunOutcome out, String abortReason) {
        var s = out.summary();
        double cost = tier.costPerHour() * out.durationMs() / 3_600_000.0;
        ledger.finishRun(runId, new Ledger.RunFinish(out.status().word, out.durationMs(), out.exitCode(), out.logSha256(),
                s.score() == null ? null : s.score().name(), s.score() == null ? null : s.score().valBpb(),
                s.score() == null ? null : s.score().valLoss(), s.artifactBytes(), s.codeBytes(), s.trainTimeMs(), s.stopStep(),
                s.peakMemMib(), out.status() == RunStatus.ABORTED ? "aborted early: " + abortReason : out.errorText(), cost));
    }

    /**
     * Takes up a remote run a dead Caddie left going: its log is followed from where the local copy ends, and it is
     * recorded as if this process had started it. Null when its executor cannot take it up (the caller then lets
     * the ledger's recovery stop it and record it interrupted).
     */
    public Recorded adopt(RunRecord run, Tier tier, Path wt) throws InterruptedException {
        Path logFile = run.logPath() != null ? Path.of(run.logPath()) : ws.runDir(run.id()).resolve("log.txt");
        Map<String, String> runEnv = task.runEnvironment(tier, Map.of(), run.seed(), "run" + run.id(), wt);
        RunSpec spec = new RunSpec(wt, task.command(tier), runEnv, Duration.ofSeconds(tier.timeoutSeconds()), logFile, tier.executor(),
                task.workspace(), task.protectedFiles(), tier.fetch(), "run" + run.id());
        long elapsed = java.time.Duration.between(java.time.Instant.parse(run.startedAt()), java.time.Instant.now()).toMillis();
        RunOutcome out;
        try {
            long fromByte = java.nio.file.Files.exists(logFile) ? java.nio.file.Files.size(logFile) : 0;
            RunHandle h = runner.executors().get(tier.executor()).adopt(spec, run.remote(), fromByte);
            ledger.adoptRun(run.id());
            listener.note("run " + run.id() + " on " + tier.executor() + " was left going by a Caddie that died: taken up at byte " + fromByte + " of its log");
            listener.runStarted(run.id(), tier.name(), tier.timeoutSeconds(), parseOrNull(runEnv.get("MAX_WALLCLOCK_SECONDS")));
            long t0 = System.currentTimeMillis() - elapsed;
            out = runner.resume(spec, h, new Runner.Listener() {
                @Override public void line(String line, LiveProgress p) { listener.progress(p, System.currentTimeMillis() - t0); }
            }, elapsed);
        } catch (IOException | RuntimeException e) {
            listener.note("run " + run.id() + " cannot be taken up (" + e.getMessage() + "): it is stopped and recorded interrupted");
            return null;
        }
        finish(run.id(), tier, out, null);
        return new Recorded(run.id(), out, logFile);
    }


    static Double parseOrNull(String s) {
        try {
            return s == null ? null : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
