package dev.caddie.gate;

import dev.caddie.task.Metric;

import java.util.Locale;

/**
 * Whether a result beats the branch's best by enough to keep. The noise rule asks for more than k times
 * the tier's seed-to-seed standard deviation (and at least the fixed margin); the margin rule for more
 * than the fixed margin alone; the SOTA rule (the style of the harnesses built for the challenge) for more
 * than a share of the gap between the best and the public state of the art, so the bar drops as the best
 * closes in on it.
 */
public final class KeepRule {
    public static final String NOISE = "noise", MARGIN = "margin", SOTA = "sota";

    /** The decision and the numbers behind it, in words. */
    public record Decision(boolean keep, double gain, double threshold, String reason) {}

    private KeepRule() {}

    public static Decision decide(String rule, Metric metric, double value, double best, double margin, double k, TierNoise noise) {
        return decide(rule, metric, value, best, margin, k, noise, null, 0);
    }

    public static Decision decide(String rule, Metric metric, double value, double best, double margin, double k, TierNoise noise,
                                  Double sota, double sotaFraction) {
        double gain = metric.improvement(value, best);
        double threshold = margin;
        String basis = String.format(Locale.ROOT, "margin %.6f", margin);
        if (rule.equals(NOISE)) {
            if (noise == null) basis += ", no seed noise measured yet on this tier";
            else if (k * noise.sigma() > margin) {
                threshold = k * noise.sigma();
                basis = String.format(Locale.ROOT, "%.1f sigma, sigma %.6f from %d seeds of %d commit(s)", k, noise.sigma(), noise.seeds(), noise.commits());
            } else basis += String.format(Locale.ROOT, " (above %.1f sigma = %.6f)", k, k * noise.sigma());
        } else if (rule.equals(SOTA) && sota != null) {
            double gap = Math.abs(metric.improvement(sota, best));
            if (sotaFraction * gap > margin) {
                threshold = sotaFraction * gap;
                basis = String.format(Locale.ROOT, "%.0f%% of the gap %.6f to the SOTA %.6f", 100 * sotaFraction, gap, sota);
            }
        }
        boolean keep = gain > threshold;
        String reason = String.format(Locale.ROOT, "%.6f %s the best %.6f by %.6f; needed more than %.6f (%s)", value,
                gain > 0 ? "beats" : "does not beat", best, gain, threshold, basis);
        return new Decision(keep, gain, threshold, reason);
    }
}
