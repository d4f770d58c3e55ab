package dev.caddie.search;

import dev.caddie.task.SearchParam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), univariate as in hyperopt and Optuna.
 *
 * <p>Finished trials are split into the best gamma(n) ("below") and the rest; each parameter gets a Parzen
 * density l(x) fitted to the below values and g(x) to the rest (a truncated-Gaussian mixture plus a wide
 * prior component); candidates are drawn from l and the one with the largest l/g wins. Runs stopped early
 * rank below every scored one, failed trials last. The first trials are random. Seeded: the same history
 * and seed give the same proposal.
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
    public Map<String, String> sample(List<Trial> history) { return sample(history, t -> false, env -> false).env(); }

    /** A proposal, and how many better-scoring ones were refused before it. */
    public record Draw(Map<String, String> env, int refused) {}

    /**
     * Best first: scored trials by their value; then runs stopped early, those that got further first and, at
     * the same point, by training loss (as Optuna ranks pruned trials); then failures.
     */
    static final Comparator<Trial> RANKING = Comparator.<Trial>comparingInt(t -> t.value() != null ? 0 : t.stopped() != null ? 1 : 2)
            .thenComparingDouble(t -> t.value() != null ? t.value() : t.stopped() != null ? -Math.floor(t.stopped().reached() * 10 + 1e-9) : 0)
            .thenComparingDouble(t -> t.value() == null && t.stopped() != null ? t.stopped().trainLoss() : 0);

    /** Combinations of candidates tried when the best one is refused. */
    static final int JOINT_DRAWS = 256;

    /**
     * Proposes the best configuration the refuse test lets through (e.g. one not surely over the size limit).
     * Each parameter gets its candidates and their scores log l(x) - log g(x), as in univariate TPE; the
     * best of each is the proposal when allowed. Otherwise combinations are drawn, each parameter's
     * candidate with probability growing with its score, and the allowed combination with the best summed
     * score wins: the acquisition maximised under the constraint, not a redraw that lands on the same
     * refused argmax. When nothing is allowed, the unconstrained best is proposed and refused counts all.
     *
     * @param history    every finished trial: each one moves the random stream on, so a new proposal never
     *                   repeats the last one's draws
     * @param outOfModel trials the densities leave out (runs that broke a constraint say nothing of the objective)
     */
    public Draw sample(List<Trial> history, Predicate<Trial> outOfModel, Predicate<Map<String, String>> refuse) {
        // SplittableRandom mixes its seed; java.util.Random's first draws for seeds n, n+1, ... are nearly equal.
        RandomGenerator rng = new SplittableRandom(seed * 1_000_003L + history.size());
        List<Trial> sorted = new ArrayList<>(history.stream().filter(outOfModel.negate()).toList());
        sorted.sort(RANKING);
        int n = sorted.size();
        // a run stopped early was still measured against its peers: it counts towards the start-up trials
        boolean random = sorted.stream().filter(t -> !t.failed() || t.stopped() != null).count() < startupTrials;
        int nBelow = Math.max(1, Math.min((int) Math.ceil(0.25 * n), 25));
        double[][] xs = new double[space.size()][], scores = new double[space.size()][];
        int[] pick = new int[space.size()];
        for (int j = 0; j < space.size(); j++) {
            SearchParam p = space.get(j);
            if (random) {
                xs[j] = new double[] {uniform(p, rng)};
                scores[j] = new double[] {0};
            } else {
                double[] below = sorted.subList(0, nBelow).stream().mapToDouble(t -> internal(p, t.env())).toArray();
                double[] above = sorted.subList(nBelow, n).stream().mapToDouble(t -> internal(p, t.env())).toArray();
                xs[j] = new double[candidates];
                scores[j] = new double[candidates];
                if (p.kind() == SearchParam.Kind.CATEGORICAL) categorical(p, below, above, rng, xs[j], scores[j]);
                else numeric(p, below, above, rng, xs[j], scores[j]);
            }
            for (int i = 1; i < xs[j].length; i++) if (scores[j][i] > scores[j][pick[j]]) pick[j] = i;
        }
        Map<String, String> best = env(xs, pick);
        if (!refuse.test(best)) return new Draw(best, 0);
        if (random) { // the start-up phase: fresh uniform draws
            int[] only = new int[space.size()];
            for (int d = 1; d <= JOINT_DRAWS; d++) {
                for (int j = 0; j < space.size(); j++) xs[j] = new double[] {uniform(space.get(j), rng)};
                Map<String, String> e = env(xs, only);
                if (!refuse.test(e)) return new Draw(e, d);
            }
            return new Draw(best, JOINT_DRAWS + 1);
        }
        List<Map<String, String>> envs = new ArrayList<>();
        List<Double> joint = new ArrayList<>();
        for (int d = 0; d < JOINT_DRAWS; d++) {
            int[] c = new int[space.size()];
            double sum = 0;
            for (int j = 0; j < space.size(); j++) sum += scores[j][c[j] = softmaxPick(scores[j], rng)];
            envs.add(env(xs, c));
            joint.add(sum);
        }
        Integer[] order = new Integer[envs.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> -joint.get(i)));
        Set<Map<String, String>> refused = new HashSet<>(List.of(best));
        for (int i : order) {
            Map<String, String> e = envs.get(i);
            if (refused.contains(e)) continue;
            if (!refuse.test(e)) return new Draw(e, refused.size());
            refused.add(e);
        }
        return new Draw(best, refused.size());
    }

    private Map<String, String> env(double[][] xs, int[] pick) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int j = 0; j < space.size(); j++) out.put(space.get(j).name(), space.get(j).format(external(space.get(j), xs[j][pick[j]])));
        return out;
    }

    /** An index drawn with probability proportional to exp(score): good candidates often, the rest sometimes. */
    private static int softmaxPick(double[] scores, RandomGenerator rng) {
        double max = Arrays.stream(scores).max().orElse(0), sum = 0;
        double[] w = new double[scores.length];
        for (int i = 0; i < w.length; i++) sum += w[i] = Math.exp(scores[i] - max);
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < w.length; i++) if ((u -= w[i]) <= 0) return i;
        return w.length - 1;
    }

    /** Fills xs with draws from l and scores with log l(x) - log g(x). */
    private void numeric(SearchParam p, double[] below, double[] above, RandomGenerator rng, double[] xs, double[] scores) {
        double lo = lo(p), hi = hi(p);
        Parzen l = new Parzen(below, lo, hi), g = new Parzen(above, lo, hi);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = l.sample(rng);
            scores[i] = l.logPdf(xs[i]) - g.logPdf(xs[i]);
        }
    }

    /** As {@link #numeric} for a categorical: xs are choice indices. */
    private void categorical(SearchParam p, double[] below, double[] above, RandomGenerator rng, double[] xs, double[] scores) {
        int k = p.choices().size();
        double[] wl = new double[k], wg = new double[k];
        Arrays.fill(wl, 1.0);
        Arrays.fill(wg, 1.0); // a prior of one observation per choice
        for (double b : below) wl[(int) b] += 1;
        for (double a : above) wg[(int) a] += 1;
        double sl = Arrays.stream(wl).sum(), sg = Arrays.stream(wg).sum();
        for (int i = 0; i < xs.length; i++) {
            double u = rng.nextDouble() * sl;
            int c = 0;
            while (c < k - 1 && (u -= wl[c]) > 0) c++;
            xs[i] = c;
            scores[i] = Math.log(wl[c] / sl) - Math.log(wg[c] / sg);
        }
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
