package dev.caddie.gate;

import dev.caddie.rules.ArtifactAccount;
import dev.caddie.rules.ScriptCode;
import dev.caddie.run.LogSummary;

import java.util.Locale;

/**
 * After a run: the artifact (script + compressed model) must be within the byte limit. Counted the way
 * {@code caddie check artifact} counts it, with the candidate's own script, so a stub that runs
 * uncounted code or a log that counted more code than the script ships is caught here too.
 */
public final class ArtifactLimitGate {
    public static final String NAME = "artifact-limit";

    private ArtifactLimitGate() {}

    public static GateResult check(LogSummary log, long limit) {
        if (log.artifactBytes() == null)
            return GateResult.fail(NAME, "the log has no artifact size line (e.g. 'Total submission size int8+zlib: N bytes')");
        long bytes = log.artifactBytes();
        return bytes <= limit ? GateResult.pass(NAME, String.format(Locale.ROOT, "artifact %,d bytes, %,d under the limit of %,d", bytes, limit - bytes, limit))
                : GateResult.fail(NAME, String.format(Locale.ROOT, "artifact %,d bytes is %,d over the limit of %,d", bytes, bytes - limit, limit));
    }

    /** With the script that ran: the challenge's accounting; falls back to the log's total when the log lacks the parts. */
    public static GateResult check(LogSummary log, ScriptCode script, long limit) {
        ArtifactAccount a;
        try {
            a = ArtifactAccount.of(script, null, new ArtifactAccount.LoggedSizes(log.file(), log.codeBytes(), log.modelBytes(), log.artifactBytes()), limit);
        } catch (IllegalArgumentException e) {
            return check(log, limit);
        }
        String notes = a.findings().isEmpty() ? "" : "; " + String.join("; ", a.findings());
        if (script.stubTarget() != null)
            return GateResult.fail(NAME, "the script runs " + script.stubTarget() + ", code the artifact does not contain" + notes);
        return a.withinLimit()
                ? GateResult.pass(NAME, String.format(Locale.ROOT, "artifact %,d bytes (code %,d as %s + model %,d), %,d under the limit of %,d%s",
                a.totalBytes(), a.codeBytes(), a.convention(), a.modelBytes(), a.headroom(), limit, notes))
                : GateResult.fail(NAME, String.format(Locale.ROOT, "artifact %,d bytes is %,d over the limit of %,d%s", a.totalBytes(), -a.headroom(), limit, notes));
    }
}
