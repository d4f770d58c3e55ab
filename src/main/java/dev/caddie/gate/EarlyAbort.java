package dev.caddie.gate;

import dev.caddie.run.LiveProgress;
import dev.caddie.run.LogSummary;
import dev.caddie.task.Metric;

import java.util.List;
import java.util.Locale;

/**
 * The early-abort oracle: while a run is live, its periodic validation curve is compared with the curve of
 * the tier's current best at the same steps; a run worse by more than the margin at two checkpoints in a
 * row is not worth finishing. The margin comes from the tier's measured seed noise, so the oracle is
 * silent until that noise is known.
 */
public final class EarlyAbort implements LiveGate {
    private final List<LogSummary.ValPoint> reference;
    private final Metric metric;
    private final double margin;
    private int strikes, lastValStep = -1;
    private String reason;

    /**
     * @param reference the best run's periodic validation points (val_bpb by step)
     * @param margin    how much worse than the reference a checkpoint may be
     */
    public EarlyAbort(List<LogSummary.ValPoint> reference, Metric metric, double margin) {
        this.reference = List.copyOf(reference);
        this.metric = metric;
        this.margin = margin;
    }

    /** An oracle for a tier, or null when it cannot judge (no reference curve or no measured noise). */
    public static EarlyAbort forTier(List<LogSummary.ValPoint> reference, Metric metric, TierNoise noise, double k) {
        if (reference == null || reference.size() < 2 || noise == null || noise.sigma() <= 0) return null;
        return new EarlyAbort(reference, metric, k * noise.sigma());
    }

    @Override
    public boolean stop(LiveProgress p) {
        if (p.valStep() == lastValStep) return false; // a training line: no new validation point
        lastValStep = p.valStep();
        return accept(p.valStep(), p.valBpb());
    }

    /** Reads a live validation point; true when the run should be stopped (then {@link #reason()} says why). */
    public boolean accept(int step, double value) {
        if (step <= 0 || !Double.isFinite(value)) return false;
        Double ref = referenceAt(step);
        if (ref == null) return false;
        double worse = -metric.improvement(value, ref);
        if (worse > margin) strikes++;
        else strikes = 0;
        if (strikes >= 2) {
            reason = String.format(Locale.ROOT, "at step %d val_bpb %.4f is %.4f worse than the best run's %.4f there (margin %.4f), twice in a row",
                    step, value, worse, ref, margin);
            return true;
        }
        return false;
    }

    @Override
    public String reason() { return reason; }

    /** The reference value at a step, linearly interpolated; null outside the reference's steps. */
    Double referenceAt(int step) {
        for (int i = 0; i < reference.size(); i++) {
            LogSummary.ValPoint p = reference.get(i);
            if (p.step() == step) return p.valBpb();
            if (p.step() > step) {
                if (i == 0) return null;
                LogSummary.ValPoint q = reference.get(i - 1);
                double t = (step - q.step()) / (double) (p.step() - q.step());
                return q.valBpb() + t * (p.valBpb() - q.valBpb());
            }
        }
        return null;
    }
}
