package dev.caddie.run;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Decides how a run ended from its exit code, whether Caddie stopped it, and what its log says. */
public final class ExitClassifier {
    private static final Pattern OOM = Pattern.compile(
            "(CUDA out of memory|OutOfMemoryError|torch\\.OutOfMemoryError|std::bad_alloc|Cannot allocate memory|MemoryError|Killed\\s*$)");
    private static final Pattern NAN = Pattern.compile("(train_loss:\\s?(nan|NaN|inf)|diverged|loss is not finite|val_bpb:\\s?nan)");
    private static final Pattern ERROR_START = Pattern.compile(
            "^(Traceback \\(most recent call last\\):|Exception in thread|Exception: |Error: |error: |\\S+(Error|Exception)(: |$)|terminate called|Segmentation fault|\\[rank\\d+]: Traceback)");
    private static final int MAX_ERROR_LINES = 30;

    private ExitClassifier() {}

    /**
     * @param timedOut  Caddie stopped the run at the tier's timeout
     * @param killed    Caddie stopped the run for another reason (Ctrl-C, early abort)
     * @param tail      the last lines of the log
     */
    public static RunOutcome classify(Integer exitCode, boolean timedOut, boolean killed, boolean aborted, long durationMs,
                                      String sha256, LogSummary summary, List<String> tail) {
        List<String> errors = errorLines(tail);
        RunStatus status;
        if (aborted) status = RunStatus.ABORTED;
        else if (killed) status = RunStatus.INTERRUPTED;
        else if (timedOut) status = RunStatus.TIMED_OUT;
        else if (tail.stream().anyMatch(l -> OOM.matcher(l).find())) status = RunStatus.OUT_OF_MEMORY;
        else if (summary.nanSeen() || tail.stream().anyMatch(l -> NAN.matcher(l).find())) status = RunStatus.DIVERGED;
        else if (exitCode != null && exitCode != 0) status = exitCode > 128 && errors.isEmpty() ? RunStatus.KILLED : RunStatus.CRASHED;
        else if (!summary.hasScore()) status = RunStatus.NO_METRIC;
        else status = RunStatus.OK;
        if (errors.isEmpty() && status != RunStatus.OK && exitCode != null && exitCode != 0)
            errors = new ArrayList<>(tail.subList(Math.max(0, tail.size() - 5), tail.size()));
        if (status == RunStatus.KILLED)
            errors = append(errors, "killed by signal " + (exitCode - 128) + (exitCode == 137 ? " (SIGKILL: often the kernel's out-of-memory killer)" : ""));
        if (status == RunStatus.TIMED_OUT && errors.isEmpty()) errors = List.of(tail.isEmpty() ? "timed out" : tail.get(tail.size() - 1));
        return new RunOutcome(status, exitCode, durationMs, sha256, summary, errors);
    }

    private static List<String> append(List<String> lines, String line) {
        List<String> out = new ArrayList<>(lines);
        out.add(line);
        return out;
    }

    /** The last traceback or exception block of the log, up to its end. */
    static List<String> errorLines(List<String> tail) {
        int start = -1;
        for (int i = 0; i < tail.size(); i++) if (ERROR_START.matcher(tail.get(i)).find()) { start = i; break; }
        if (start < 0) return List.of();
        // Prefer the last Python traceback when there are several (torchrun prints one per rank).
        for (int i = tail.size() - 1; i > start; i--) if (tail.get(i).startsWith("Traceback (most recent call last):")) { start = i; break; }
        List<String> out = new ArrayList<>(tail.subList(start, tail.size()));
        return out.size() > MAX_ERROR_LINES ? out.subList(out.size() - MAX_ERROR_LINES, out.size()) : out;
    }
}
