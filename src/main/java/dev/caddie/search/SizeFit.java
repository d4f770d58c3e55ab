package dev.caddie.search;

import dev.caddie.task.SearchParam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Predicts a proposal's artifact bytes from the sizes already measured (every micro run measures one), so the
 * search can skip a draw that would break the size limit before any run spends compute on it.
 *
 * <p>The weights' part of the artifact (artifact minus script bytes) is close to a product of factors: the
 * parameter count (layers, width) times bits per weight times a compression ratio. So log(weight bytes) is
 * fitted as a sum: one coefficient per level of a categorical or a small integer (QUANT_BITS, NUM_LAYERS),
 * and a slope on the log of a positive numeric value (MODEL_DIM: parameters grow as its square), else on the
 * value. Most parameters (learning rates, batch) do not change the size, and a dozen sizes cannot fit them
 * all: parameters enter the fit one at a time (two at a time when no single one helps), each time the one
 * that most lowers the leave-one-out error, until none does. That error then says how far to trust the fit:
 * a draw is skipped only when even its prediction less two of those errors is over the limit, and only once
 * enough sizes exist; a draw with a value never measured of a parameter in the fit is never judged. A shape
 * measured twice or more is predicted from its own sizes.
 */
public final class SizeFit {
    /** Measured sizes needed before the model judges anything. */
    public static final int MIN_SIZES = 6;
    /** A small integer range gets a coefficient per value, as a categorical does. */
    static final int MAX_LEVELS = 8;
    private static final double RIDGE = 1e-3;
    /**
     * The least error assumed (0.2%): sizes of one shape scatter by about that much with the learning rates, and
     * the fit should refuse a shape its micro runs measured 1% over the limit, as the micro tier would.
     */
    static final double SIGMA_FLOOR = 0.002;

    private final List<SearchParam> space;
    private final boolean[] in; // the parameters in the fit
    private final double[] beta;
    private final double sigma;
    private final long scriptBytes;
    private final List<boolean[]> seenLevels; // per parameter with levels in the fit, which ones have a measured size
    private final Map<String, List<Double>> cells; // per shape, its measured log(weight bytes)

    private SizeFit(List<SearchParam> space, boolean[] in, double[] beta, double sigma, long scriptBytes, List<boolean[]> seenLevels,
                    Map<String, List<Double>> cells) {
        this.space = space;
        this.in = in;
        this.beta = beta;
        this.sigma = sigma;
        this.scriptBytes = scriptBytes;
        this.seenLevels = seenLevels;
        this.cells = cells;
    }

    /** Fits the sizes of the trials that measured one (artifact and script bytes); {@link #usable()} says whether there were enough. */
    public static SizeFit fit(List<SearchParam> space, List<Trial> trials) {
        List<Trial> sized = trials.stream().filter(t -> t.artifactBytes() != null && t.codeBytes() != null && t.artifactBytes() > t.codeBytes()).toList();
        long script = sized.stream().mapToLong(Trial::codeBytes).sorted().skip(sized.size() / 2).findFirst().orElse(0); // the median: env-only proposals keep it
        List<boolean[]> seen = new ArrayList<>();
        for (SearchParam p : space) seen.add(levels(p) > 0 ? new boolean[levels(p)] : null);
        if (sized.size() < MIN_SIZES) return new SizeFit(space, null, null, Double.NaN, script, seen, Map.of());
        double[][] all = new double[sized.size()][];
        double[] y = new double[sized.size()];
        for (int i = 0; i < sized.size(); i++) {
            Trial t = sized.get(i);
            all[i] = features(space, t.env(), null);
            y[i] = Math.log(t.artifactBytes() - t.codeBytes());
            for (int j = 0; j < space.size(); j++) if (seen.get(j) != null) seen.get(j)[level(space.get(j), t.env())] = true;
        }
        // forward selection: start from the mean, add the parameter that lowers the leave-one-out error most
        boolean[] in = new boolean[space.size()];
        double err = looError(space, sized, in, select(space, all, in), y);
        while (true) { // one parameter at a time; a pair when no single one helps (bits and layers can each explain little alone)
            int[] bestAdd = null;
            double bestErr = err;
            for (int width = 1; width <= 2 && bestAdd == null; width++)
                for (int j = 0; j < space.size(); j++)
                    for (int k = width == 1 ? j : j + 1; k < space.size(); k++) {
                        if (in[j] || in[k]) continue;
                        in[j] = in[k] = true;
                        double e = looError(space, sized, in, select(space, all, in), y);
                        in[j] = in[k] = false;
                        if (e < bestErr * 0.98) { bestErr = e; bestAdd = new int[] {j, k}; } // a 2% gain at least: noise does not buy a parameter
                        if (width == 1) break;
                    }
            if (bestAdd == null) break;
            in[bestAdd[0]] = in[bestAdd[1]] = true;
            err = bestErr;
        }
        for (int j = 0; j < space.size(); j++) if (!in[j]) seen.set(j, null); // a parameter out of the fit cannot make a draw unknown
        Map<String, List<Double>> cells = new HashMap<>();
        for (int i = 0; i < sized.size(); i++) cells.computeIfAbsent(cell(space, in, sized.get(i).env()), k -> new ArrayList<>()).add(y[i]);
        return new SizeFit(space, in, ridge(select(space, all, in), y, -1), Math.max(SIGMA_FLOOR, err), script, seen, cells);
    }

    /**
     * The root-mean-square error of predicting each size from a fit without it, over the sizes that such a fit
     * would judge: one whose level of a parameter in the fit is the only one measured is left out, as a draw
     * with a level never measured is.
     */
    private static double looError(List<SearchParam> space, List<Trial> trials, boolean[] mask, double[][] x, double[] y) {
        Map<String, Integer> count = new HashMap<>();
        for (Trial t : trials)
            for (int j = 0; j < space.size(); j++) if (mask[j] && levels(space.get(j)) > 0) count.merge(j + ":" + level(space.get(j), t.env()), 1, Integer::sum);
        double sq = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            boolean judged = true;
            for (int j = 0; j < space.size(); j++)
                if (mask[j] && levels(space.get(j)) > 0 && count.get(j + ":" + level(space.get(j), trials.get(i).env())) == 1) judged = false;
            if (!judged) continue;
            double e = y[i] - dot(ridge(x, y, i), x[i]);
            sq += e * e;
            n++;
        }
        return n < MIN_SIZES ? Double.POSITIVE_INFINITY : Math.sqrt(sq / n);
    }

    public boolean usable() { return beta != null; }

    /** The leave-one-out error of log(weight bytes): 0.05 means predictions about 5% off. */
    public double sigma() { return sigma; }

    /** The predicted artifact bytes for env (the script as measured, plus the weights), or null when it cannot say. */
    public Long predict(Map<String, String> env) {
        double[] e = estimate(env);
        return e == null ? null : scriptBytes + Math.round(Math.exp(e[0]));
    }

    /** True only when the model is sure: even the prediction less two of its errors is over the limit. */
    public boolean surelyOver(Map<String, String> env, long limit) {
        double[] e = estimate(env);
        return e != null && scriptBytes + Math.exp(e[0] - 2 * e[1]) > limit;
    }

    /**
     * log(weight bytes) and its error for env. A shape (the levels of the fitted parameters) measured at least
     * twice is its own best estimate: the sum of factors is a few percent off for some shapes (e.g. 8 bits with
     * 1 or 2 layers), while one shape's sizes agree to a few tenths of a percent. Other shapes get the fit.
     */
    private double[] estimate(Map<String, String> env) {
        if (!usable() || !measuredLevels(env)) return null;
        List<Double> same = cells.get(cell(space, in, env));
        if (same != null && same.size() >= 2) {
            double mean = same.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double var = same.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / (same.size() - 1);
            return new double[] {mean, Math.max(SIGMA_FLOOR, Math.sqrt(var))};
        }
        return new double[] {dot(beta, features(space, env, in)), sigma};
    }

    /** The levels of the fitted parameters that have levels: the shape a size belongs to. */
    private static String cell(List<SearchParam> space, boolean[] mask, Map<String, String> env) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < space.size(); j++) if (mask[j] && levels(space.get(j)) > 0) b.append(j).append('=').append(level(space.get(j), env)).append(';');
        return b.toString();
    }

    private boolean measuredLevels(Map<String, String> env) {
        for (int j = 0; j < space.size(); j++) if (seenLevels.get(j) != null && !seenLevels.get(j)[level(space.get(j), env)]) return false;
        return true;
    }

    // ---- features: an intercept, a one-hot per level (the first level is the base), a scaled value otherwise

    private static int levels(SearchParam p) {
        if (p.kind() == SearchParam.Kind.CATEGORICAL) return p.choices().size();
        if (p.kind() == SearchParam.Kind.INT && p.high() - p.low() < MAX_LEVELS) return (int) (p.high() - p.low()) + 1;
        return 0;
    }

    private static int level(SearchParam p, Map<String, String> env) {
        double x = TpeSampler.internal(p, env); // the index of a categorical, the value of an integer
        return (int) Math.max(0, Math.min(levels(p) - 1, Math.round(p.kind() == SearchParam.Kind.CATEGORICAL ? x : x - p.low())));
    }

    /** The parameters in the fit (all of them for a null mask) as features of env. */
    static double[] features(List<SearchParam> space, Map<String, String> env, boolean[] mask) {
        List<Double> f = new ArrayList<>();
        f.add(1.0);
        for (int j = 0; j < space.size(); j++) {
            if (mask != null && !mask[j]) continue;
            SearchParam p = space.get(j);
            int k = levels(p);
            if (k > 0) {
                int at = level(p, env);
                for (int l = 1; l < k; l++) f.add(at == l ? 1.0 : 0.0);
            } else {
                double x = TpeSampler.internal(p, env), lo = p.low(), hi = p.high();
                if (p.kind() == SearchParam.Kind.LOG_FLOAT) { lo = Math.log(lo); hi = Math.log(hi); }
                else if (lo > 0) { x = Math.log(x); lo = Math.log(lo); hi = Math.log(hi); }
                f.add(hi > lo ? (x - lo) / (hi - lo) : 0);
            }
        }
        return f.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The columns of the full feature rows that belong to the parameters in mask (and the intercept). */
    private static double[][] select(List<SearchParam> space, double[][] all, boolean[] mask) {
        List<Integer> cols = new ArrayList<>(List.of(0));
        int c = 1;
        for (int j = 0; j < space.size(); j++) {
            int width = levels(space.get(j)) > 0 ? levels(space.get(j)) - 1 : 1;
            for (int k = 0; k < width; k++, c++) if (mask[j]) cols.add(c);
        }
        double[][] out = new double[all.length][cols.size()];
        for (int i = 0; i < all.length; i++) for (int k = 0; k < cols.size(); k++) out[i][k] = all[i][cols.get(k)];
        return out;
    }

    /** Ridge least squares (the intercept unpenalised), leaving out row skip (-1 for none). */
    private static double[] ridge(double[][] x, double[] y, int skip) {
        int p = x[0].length;
        double[][] a = new double[p][p + 1];
        for (int i = 0; i < x.length; i++) {
            if (i == skip) continue;
            for (int r = 0; r < p; r++) {
                for (int c = 0; c < p; c++) a[r][c] += x[i][r] * x[i][c];
                a[r][p] += x[i][r] * y[i];
            }
        }
        for (int r = 1; r < p; r++) a[r][r] += RIDGE;
        for (int col = 0; col < p; col++) { // Gaussian elimination with partial pivoting; the ridge keeps it regular
            int piv = col;
            for (int r = col + 1; r < p; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
            double[] tmp = a[col]; a[col] = a[piv]; a[piv] = tmp;
            for (int r = 0; r < p; r++) {
                if (r == col || a[col][col] == 0) continue;
                double m = a[r][col] / a[col][col];
                for (int c = col; c <= p; c++) a[r][c] -= m * a[col][c];
            }
        }
        double[] beta = new double[p];
        for (int r = 0; r < p; r++) beta[r] = a[r][r] == 0 ? 0 : a[r][p] / a[r][r];
        return beta;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
