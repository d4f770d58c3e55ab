package dev.caddie.gate;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.apache.commons.math3.stat.regression.SimpleRegression;

import java.util.List;

/**
 * How far a cheap tier's verdicts carry to a dear one: from commits scored on both, the rank correlation
 * of their scores and a least-squares line from the cheap tier's score delta (against a reference commit)
 * to the dear tier's, with a prediction interval for a new commit.
 */
public final class TierTransfer {
    /** One commit scored on both tiers, as deltas against the reference commit. */
    public record Pair(long candidateId, double cheapDelta, double dearDelta) {}

    /** A predicted dear-tier delta with its two-sided prediction interval. */
    public record Prediction(double mean, double low, double high, double level) {}

    private final List<Pair> pairs;
    private final SimpleRegression fit = new SimpleRegression(true);
    private final double spearman;

    public TierTransfer(List<Pair> pairs) {
        this.pairs = List.copyOf(pairs);
        for (Pair p : pairs) fit.addData(p.cheapDelta(), p.dearDelta());
        double[] x = pairs.stream().mapToDouble(Pair::cheapDelta).toArray(), y = pairs.stream().mapToDouble(Pair::dearDelta).toArray();
        spearman = pairs.size() >= 3 ? new SpearmansCorrelation().correlation(x, y) : Double.NaN;
    }

    public List<Pair> pairs() { return pairs; }
    public int n() { return pairs.size(); }
    public double spearman() { return spearman; }
    public double slope() { return fit.getSlope(); }
    public double intercept() { return fit.getIntercept(); }
    public double r2() { return fit.getRSquare(); }

    /** Standard deviation of the residuals around the line. */
    public double residualSigma() { return n() > 2 ? Math.sqrt(fit.getMeanSquareError()) : Double.NaN; }

    /** The line needs three points and some spread in the cheap deltas to say anything. */
    public boolean usable() { return n() >= 3 && Double.isFinite(slope()) && Double.isFinite(residualSigma()); }

    /** The dear-tier delta predicted for a cheap-tier delta, with a two-sided interval at the given level (e.g. 0.9). */
    public Prediction predict(double cheapDelta, double level) {
        int n = n();
        double mean = intercept() + slope() * cheapDelta;
        double xbar = pairs.stream().mapToDouble(Pair::cheapDelta).average().orElse(0);
        double sxx = pairs.stream().mapToDouble(p -> (p.cheapDelta() - xbar) * (p.cheapDelta() - xbar)).sum();
        double se = residualSigma() * Math.sqrt(1 + 1.0 / n + (sxx > 0 ? (cheapDelta - xbar) * (cheapDelta - xbar) / sxx : 0));
        double t = new TDistribution(n - 2).inverseCumulativeProbability(0.5 + level / 2);
        return new Prediction(mean, mean - t * se, mean + t * se, level);
    }
}
