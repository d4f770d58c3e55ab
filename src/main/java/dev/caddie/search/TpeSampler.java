package dev.caddie.search;

import dev.caddie.task.SearchParam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), univariate as in hyperopt and Optuna.
 *
 * <p>Finished trials are split into the best gamma(n) ("below") and the rest; each parameter gets a Parzen
 * density l(x) fitted to the below values and g(x) to the rest (a truncated-Gaussian mixture plus a wide
 * prior component); candidates are drawn from l and the one with the largest l/g wins. Failed trials count
 * as the worst. The first trials are random. Seeded: the same history and seed give the same proposal.
 */
public final class TpeSampler {
    private final List<SearchParam> space;
    private final long seed;
    private final int startupTrials;
    private final int candidates;

    public TpeSampler(List<SearchParam> space, long seed, int startupTrials, int candidates) {
        this.space = List.copyOf(space);
        this.seed = seed;
        this.startupTrials = startupTrials;
        this.candidates = candidates;
    }

    public TpeSampler(List<SearchParam> space, long seed) { this(space, seed, 4, 24); }

    /** Proposes values for every parameter given the history (minimising value). */
    public Map<String, String> sample(List<Trial> history) {
        // SplittableRandom mixes its seed; java.util.Random's first draws for seeds n, n+1, ... are nearly equal.
        RandomGenerator rng = new SplittableRandom(seed * 1_000_003L + history.size());
        Map<String, String> out = new LinkedHashMap<>();
        List<Trial> sorted = new ArrayList<>(history);
        sorted.sort(Comparator.comparingDouble(t -> t.failed() ? Double.POSITIVE_INFINITY : t.value()));
        int n = sorted.size();
        boolean random = history.stream().filter(t -> !t.failed()).count() < startupTrials;
        int nBelow = Math.max(1, Math.min((int) Math.ceil(0.25 * n), 25));
        for (SearchParam p : space) {
            double x;
            if (random) x = uniform(p, rng);
            else {
                double[] below = sorted.subList(0, nBelow).stream().mapToDouble(t -> internal(p, t.env())).toArray();
                double[] above = sorted.subList(nBelow, n).stream().mapToDouble(t -> internal(p, t.env())).toArray();
                x = p.kind() == SearchParam.Kind.CATEGORICAL ? categorical(p, below, above, rng) : numeric(p, below, above, rng);
            }
            out.put(p.name(), p.format(external(p, x)));
        }
        return out;
    }

    private double numeric(SearchParam p, double[] below, double[] above, RandomGenerator rng) {
        double lo = lo(p), hi = hi(p);
        Parzen l = new Parzen(below, lo, hi), g = new Parzen(above, lo, hi);
        double best = Double.NaN, bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates; i++) {
            double x = l.sample(rng);
            double score = l.logPdf(x) - g.logPdf(x);
            if (score > bestScore) { bestScore = score; best = x; }
        }
        return best;
    }

    private double categorical(SearchParam p, double[] below, double[] above, RandomGenerator rng) {
        int k = p.choices().size();
        double[] wl = new double[k], wg = new double[k];
        Arrays.fill(wl, 1.0);
        Arrays.fill(wg, 1.0); // a prior of one observation per choice
        for (double b : below) wl[(int) b] += 1;
        for (double a : above) wg[(int) a] += 1;
        double sl = Arrays.stream(wl).sum(), sg = Arrays.stream(wg).sum();
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates; i++) {
            double u = rng.nextDouble() * sl;
            int c = 0;
            while (c < k - 1 && (u -= wl[c]) > 0) c++;
            double score = Math.log(wl[c] / sl) - Math.log(wg[c] / sg);
            if (score > bestScore) { bestScore = score; best = c; }
        }
        return best;
    }

    /** A mixture of Gaussians truncated to [lo, hi], one per observation plus a prior at the centre. */
    private static final class Parzen {
        final double[] mu, sigma;
        final double lo, hi;

        Parzen(double[] obs, double lo, double hi) {
            this.lo = lo;
            this.hi = hi;
            double[] pts = obs.clone();
            Arrays.sort(pts);
            int n = pts.length;
            mu = Arrays.copyOf(pts, n + 1);
            sigma = new double[n + 1];
            double range = hi - lo, minSigma = range / Math.min(100.0, 2.0 + n);
            for (int i = 0; i < n; i++) {
                double left = i == 0 ? pts[i] - lo : pts[i] - pts[i - 1];
                double right = i == n - 1 ? hi - pts[i] : pts[i + 1] - pts[i];
                sigma[i] = Math.max(minSigma, Math.min(range, Math.max(left, right)));
            }
            mu[n] = 0.5 * (lo + hi); // the prior: one wide component over the whole range
            sigma[n] = range;
        }

        double sample(RandomGenerator rng) {
            int c = rng.nextInt(mu.length);
            for (int tries = 0; tries < 100; tries++) {
                double x = mu[c] + sigma[c] * rng.nextGaussian();
                if (x >= lo && x <= hi) return x;
            }
            return Math.max(lo, Math.min(hi, mu[c]));
        }

        double logPdf(double x) {
            double sum = 0;
            for (int i = 0; i < mu.length; i++) {
                double z = (x - mu[i]) / sigma[i];
                double mass = phi((hi - mu[i]) / sigma[i]) - phi((lo - mu[i]) / sigma[i]);
                sum += Math.exp(-0.5 * z * z) / (sigma[i] * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
            }
            return Math.log(sum / mu.length + 1e-300);
        }

        private static double phi(double z) { return 0.5 * (1 + erf(z / Math.sqrt(2))); }

        /** Abramowitz-Stegun 7.1.26; ample for a density ratio. */
        private static double erf(double x) {
            double t = 1 / (1 + 0.3275911 * Math.abs(x));
            double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
            return x >= 0 ? y : -y;
        }
    }

    // ---- the internal space: linear for int/float, log for log-float, the index for categorical

    static double lo(SearchParam p) { return p.kind() == SearchParam.Kind.LOG_FLOAT ? Math.log(p.low()) : p.kind() == SearchParam.Kind.INT ? p.low() - 0.5 : p.low(); }

    static double hi(SearchParam p) { return p.kind() == SearchParam.Kind.LOG_FLOAT ? Math.log(p.high()) : p.kind() == SearchParam.Kind.INT ? p.high() + 0.5 : p.high(); }

    private static double uniform(SearchParam p, RandomGenerator rng) {
        if (p.kind() == SearchParam.Kind.CATEGORICAL) return rng.nextInt(p.choices().size());
        return lo(p) + rng.nextDouble() * (hi(p) - lo(p));
    }

    /** The internal coordinate of a trial's value for p (its default when the trial did not set it). */
    static double internal(SearchParam p, Map<String, String> env) {
        String v = env.getOrDefault(p.name(), p.defaultValue());
        if (p.kind() == SearchParam.Kind.CATEGORICAL) {
            int i = v == null ? 0 : p.choices().indexOf(v);
            return Math.max(i, 0);
        }
        double x;
        try {
            x = v == null ? 0.5 * (p.low() + p.high()) : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            x = 0.5 * (p.low() + p.high());
        }
        x = Math.max(p.low(), Math.min(p.high(), x));
        return p.kind() == SearchParam.Kind.LOG_FLOAT ? Math.log(x) : x;
    }

    private static double external(SearchParam p, double x) {
        return switch (p.kind()) {
            case LOG_FLOAT -> Math.exp(x);
            case INT -> Math.max(p.low(), Math.min(p.high(), Math.round(x)));
            default -> x;
        };
    }
}
