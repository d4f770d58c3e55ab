package dev.caddie.run;

import java.util.List;

/** The result of one run: how it ended, its exit code, duration, log checksum, what the log says, the error lines. */
public record RunOutcome(RunStatus status, Integer exitCode, long durationMs, String logSha256, LogSummary summary,
                         List<String> errorLines) {
    public String errorText() { return errorLines.isEmpty() ? null : String.join("\n", errorLines); }
}
