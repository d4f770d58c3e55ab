package dev.caddie.rules;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The distribution trained weights are drawn from when the size model samples them: Student-t with
 * {@code nu} degrees of freedom (infinite = Gaussian). The tail is what decides how well quantized
 * weights compress once each row is scaled to its own maximum: the heavier the tail, the more of a
 * row sits in the few levels around zero. Training recipes move it a lot (strong decoupled weight
 * decay and weight averaging give heavy tails), which is why it is an explicit, reported input.
 */
public record WeightShape(double nu) {
    public static final WeightShape GAUSSIAN = new WeightShape(Double.POSITIVE_INFINITY);

    public WeightShape {
        if (!(nu > 2)) throw new IllegalArgumentException("weight tail: Student-t degrees of freedom must be above 2 (finite variance), got " + nu);
    }

    public static WeightShape parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("gaussian") || t.equals("normal") || t.equals("inf")) return GAUSSIAN;
        try {
            return new WeightShape(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("weight tail '" + s + "': expected 'gaussian' or Student-t degrees of freedom above 2 (e.g. 5)");
        }
    }

    public boolean gaussian() { return Double.isInfinite(nu); }

    @Override
    public String toString() {
        return gaussian() ? "gaussian" : String.format(Locale.ROOT, "student-t nu=%.3g", nu);
    }

    /** Fills {@code out} with independent draws (unit scale; per-row scaling makes the scale irrelevant). */
    public void sample(SplittableRandom rng, float[] out) {
        for (int i = 0; i < out.length; i++) {
            double z = gaussian(rng);
            out[i] = (float) (gaussian() ? z : z / Math.sqrt(gamma(rng, nu / 2) * 2 / nu));
        }
    }

    static double gaussian(SplittableRandom rng) {
        // Marsaglia polar method: exact, and fast enough for the half-million draws a group needs.
        while (true) {
            double u = rng.nextDouble() * 2 - 1, v = rng.nextDouble() * 2 - 1, s = u * u + v * v;
            if (s > 0 && s < 1) return u * Math.sqrt(-2 * Math.log(s) / s);
        }
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang (2000), boosted for shape below 1. */
    static double gamma(SplittableRandom rng, double shape) {
        if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.nextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = gaussian(rng), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
        }
    }
}
