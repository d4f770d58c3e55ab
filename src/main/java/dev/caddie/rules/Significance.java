package dev.caddie.rules;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

import java.util.Locale;

/**
 * The challenge's rule for a new record: the candidate's mean must beat the standing record by at
 * least the margin (0.005 nats) at p below alpha (0.01), over seeds.
 *
 * <p>{@link Variant#CHALLENGE} tests exactly that: one-sided, on the difference shifted by the
 * margin (H0: improvement at most the margin), Welch's t-test when the baseline has seeds and a
 * one-sample t-test against a constant otherwise. {@link Variant#AS_QUOTED} is what records quote
 * in their submission files, found by recomputing them: the unshifted difference of val_loss,
 * Welch's t with Welch-Satterthwaite degrees of freedom against a seeded baseline (2026-03-25:
 * t=-11.8339, df=3.3063 against PR 549) and a two-sided one-sample t-test against the baseline's
 * single val_loss otherwise (2026-03-19 sliding window: p=0.0001). It answers "is it different",
 * not "is it better by the margin", so it is offered for comparison only.
 */
public final class Significance {
    public static final double MARGIN_NATS = 0.005;
    public static final double ALPHA = 0.01;

    public enum Variant {
        CHALLENGE("challenge"), AS_QUOTED("as-quoted");

        public final String code;

        Variant(String code) { this.code = code; }

        public static Variant parse(String s) {
            for (Variant v : values()) if (v.code.equalsIgnoreCase(s.trim())) return v;
            throw new IllegalArgumentException("unknown variant '" + s + "'; accepted: challenge (the rule: one-sided, margin-shifted) or as-quoted (what records quote: unshifted, two-sided one-sample)");
        }
    }

    /**
     * The test's figures.
     *
     * @param metric   "val_loss" (nats) or "val_bpb"
     * @param margin   the margin in the metric's units (0.005 nats, or its bpb equivalent)
     * @param baseSd   null when the baseline is a constant
     * @param diff     candidate mean minus baseline mean (negative is better)
     */
    public record Result(Variant variant, String test, String metric, int n, double candMean, double candSd, int baseN, double baseMean, Double baseSd,
                         double diff, double margin, double t, double df, double p, double alpha) {
        public boolean significant() {
            return variant == Variant.CHALLENGE ? p < alpha && -diff >= margin : p < alpha;
        }

        public String verdict() {
            if (variant == Variant.AS_QUOTED) return significant() ? "DIFFERENT (as records quote it)" : "NOT DIFFERENT (as records quote it)";
            if (significant()) return String.format(Locale.ROOT, "SIGNIFICANT: beats the baseline by more than %s at p < %s", fmt(margin), fmt(alpha));
            if (-diff < margin) return String.format(Locale.ROOT, "NOT SIGNIFICANT: the improvement %s is below the margin %s", fmt(-diff), fmt(margin));
            return String.format(Locale.ROOT, "NOT SIGNIFICANT: p = %.4g is not below %s", p, fmt(alpha));
        }

        private static String fmt(double d) { return String.format(Locale.ROOT, "%.5g", d); }
    }

    private Significance() {}

    /**
     * @param candidate the candidate's per-seed values (at least 2)
     * @param baseline  the baseline's per-seed values; a single value, or null, means a constant
     * @param constant  the baseline constant when {@code baseline} is null
     */
    public static Result test(String metric, double[] candidate, double[] baseline, double constant, double margin, double alpha, Variant variant) {
        if (candidate.length < 2)
            throw new IllegalArgumentException("significance needs at least 2 candidate seeds (the rule asks for 3), got " + candidate.length
                    + ": one run has no spread to test against");
        SummaryStatistics c = stats(candidate);
        boolean seeded = baseline != null && baseline.length >= 2;
        double baseMean = baseline == null ? constant : stats(baseline).getMean();
        double diff = c.getMean() - baseMean;
        double shift = variant == Variant.CHALLENGE ? margin : 0;
        double t, df, se;
        Double baseSd = null;
        String test;
        if (seeded) {
            SummaryStatistics b = stats(baseline);
            double vc = c.getVariance() / c.getN(), vb = b.getVariance() / b.getN();
            se = Math.sqrt(vc + vb);
            df = (vc + vb) * (vc + vb) / (vc * vc / (c.getN() - 1) + vb * vb / (b.getN() - 1));
            baseSd = b.getStandardDeviation();
            test = "Welch's t-test";
        } else {
            se = c.getStandardDeviation() / Math.sqrt(c.getN());
            df = c.getN() - 1;
            test = "one-sample t-test against a constant";
        }
        // No spread at all: a t-test has no variance to judge by (t would be infinite, p meaningless). Seeds of real
        // runs never agree to every digit, so these are copies or over-rounded values, not evidence.
        if (!(se > 0))
            throw new IllegalArgumentException("the " + candidate.length + " candidate seeds" + (seeded ? " and the baseline's seeds" : "")
                    + " all have the same " + metric + " (sd 0): a t-test cannot judge that; seeds that agree to every digit are copies of one run"
                    + " or rounded too far — give each seed's own log or its full-precision value");
        t = (diff + shift) / se;
        TDistribution dist = new TDistribution(null, df);
        double p = variant == Variant.CHALLENGE ? dist.cumulativeProbability(t) : 2 * dist.cumulativeProbability(-Math.abs(t));
        test += variant == Variant.CHALLENGE ? ", one-sided, difference shifted by the margin" : ", two-sided, unshifted";
        return new Result(variant, test, metric, candidate.length, c.getMean(), c.getStandardDeviation(), seeded ? baseline.length : (baseline == null ? 0 : 1),
                baseMean, baseSd, diff, margin, t, df, Math.min(1, p), alpha);
    }

    private static SummaryStatistics stats(double[] xs) {
        SummaryStatistics s = new SummaryStatistics();
        for (double x : xs) s.addValue(x);
        return s;
    }

    /** True when a claimed score equals the best seed and not the mean: a single best seed reported as the result. */
    public static boolean claimIsBestSeed(double claimed, double[] seeds) {
        double best = Double.MAX_VALUE, mean = 0;
        for (double s : seeds) {
            best = Math.min(best, s);
            mean += s / seeds.length;
        }
        double tol = 5e-5; // claims are rounded to 4 or more decimals
        return Math.abs(claimed - best) < tol && Math.abs(claimed - mean) >= tol;
    }
}
