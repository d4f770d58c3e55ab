package dev.caddie.gate;

import dev.caddie.run.LogSummary;

/** After a run: the artifact the log reports (script + compressed model) must be within the byte limit. */
public final class ArtifactLimitGate {
    public static final String NAME = "artifact-limit";

    private ArtifactLimitGate() {}

    public static GateResult check(LogSummary log, long limit) {
        if (log.artifactBytes() == null)
            return GateResult.fail(NAME, "the log has no artifact size line (e.g. 'Total submission size int8+zlib: N bytes')");
        long bytes = log.artifactBytes();
        return bytes <= limit ? GateResult.pass(NAME, String.format("artifact %,d bytes, %,d under the limit of %,d", bytes, limit - bytes, limit))
                : GateResult.fail(NAME, String.format("artifact %,d bytes is %,d over the limit of %,d", bytes, bytes - limit, limit));
    }
}
