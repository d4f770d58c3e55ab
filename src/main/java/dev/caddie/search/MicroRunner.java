package dev.caddie.search;

import dev.caddie.run.LogSummary;
import dev.caddie.run.RunOutcome;
import dev.caddie.run.RunSpec;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a candidate's worktree on the micro tier and judges it: crash, NaN, falling loss, step time, size. */
public final class MicroRunner {
    public static final String TIER = "micro";
    private final TaskSpec task;
    private final Runner runner;

    public MicroRunner(TaskSpec task, Runner runner) {
        this.task = task;
        this.runner = runner;
    }

    public MicroReport run(Path worktree, Map<String, String> candidateEnv, long seed, String runId, Path logFile, Runner.Listener listener)
            throws IOException, InterruptedException {
        Tier tier = task.tier(TIER);
        RunOutcome out = runner.run(new RunSpec(worktree, task.command(tier), task.runEnvironment(tier, candidateEnv, seed, runId, worktree),
                Duration.ofSeconds(tier.timeoutSeconds()), logFile, tier.executor(), task.workspace(), task.protectedFiles(), tier.fetch(), runId), listener);
        return judge(out, task.limits().artifactBytes(), logFile);
    }

    /** Judges a finished micro-tier run. */
    public static MicroReport judge(RunOutcome out, long limit, Path logFile) {
        LogSummary s = out.summary();
        List<LogSummary.TrainPoint> curve = s.trainCurve().stream().filter(p -> Double.isFinite(p.loss())).toList();
        boolean nan = out.status() == RunStatus.DIVERGED || s.nanSeen();
        boolean crashed = !nan && out.status() != RunStatus.OK; // includes timeouts and runs that printed no final metric
        Double first = null, last = null;
        if (curve.size() >= 4) {
            int q = curve.size() / 4;
            first = curve.subList(0, q).stream().mapToDouble(LogSummary.TrainPoint::loss).average().orElseThrow();
            last = curve.subList(curve.size() - q, curve.size()).stream().mapToDouble(LogSummary.TrainPoint::loss).average().orElseThrow();
        }
        boolean fell = first != null && last < first;
        Double stepMs = null;
        if (s.trainTimeMs() != null && !s.trainCurve().isEmpty()) {
            int steps = s.trainCurve().get(s.trainCurve().size() - 1).step();
            if (steps > 0) stepMs = s.trainTimeMs() / (double) steps;
        }
        boolean within = s.artifactBytes() != null && s.artifactBytes() <= limit;
        List<String> errors = out.errorLines();
        if (out.status() == RunStatus.NO_METRIC) errors = List.of("the run printed no final metric line");
        return new MicroReport(out.status().word, crashed, nan, fell, first, last, stepMs, s.artifactBytes(), limit, within,
                errors, logFile.toString());
    }
}
