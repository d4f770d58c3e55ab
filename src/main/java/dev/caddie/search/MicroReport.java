package dev.caddie.search;

import java.util.List;

/**
 * What a micro-run says about a candidate before any real compute: did it crash, diverge, learn, fit?
 *
 * @param lossFell the mean train loss of the last quarter of logged steps is below that of the first quarter
 */
public record MicroReport(String status, boolean crashed, boolean nan, boolean lossFell, Double firstQuarterLoss,
                          Double lastQuarterLoss, Double stepMs, Long artifactBytes, long artifactLimit, boolean withinLimit,
                          List<String> errors, String logPath) {

    /** Fit to go to a dearer tier. */
    public boolean passed() { return !crashed && !nan && lossFell && withinLimit; }

    /** Why not, in one line; empty when passed. */
    public String reason() {
        if (crashed) return "crashed" + (errors.isEmpty() ? " (" + status + ")" : ": " + errors.get(errors.size() - 1));
        if (nan) return "the loss became NaN or infinite";
        if (!lossFell) return firstQuarterLoss == null ? "too few logged steps to tell whether the loss falls"
                : String.format("the loss did not fall (first quarter %.4f, last quarter %.4f)", firstQuarterLoss, lastQuarterLoss);
        if (!withinLimit) return artifactBytes == null ? "the log has no artifact size line"
                : String.format("artifact %,d bytes is over the limit of %,d", artifactBytes, artifactLimit);
        return "";
    }
}
