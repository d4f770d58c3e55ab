package dev.caddie.gate;

import dev.caddie.run.LiveProgress;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Successive halving inside one run: at checkpoints (fractions of the run's training budget) a live run goes
 * on only while its training loss there is in the best 1/eta of the losses that the earlier runs of the same
 * tier had at that checkpoint (ASHA's rule, with the checkpoints as its rungs).
 *
 * <p>Why not only shorter runs as rungs: a shorter wall-clock budget is a compressed schedule, and it ranks
 * small, fast-stepping models above the bigger ones that win at the full budget. Here every run keeps the full
 * budget's schedule, so it is compared with its peers at the same point of the same schedule; and the signal
 * is the training loss the run logs anyway, so judging costs no validation. The position in the budget is
 * training time over the wall-clock cap (MAX_WALLCLOCK_SECONDS), or step over total steps for a run without one.
 */
public final class CheckpointHalving implements LiveGate {
    /** A logged training loss and where in the budget it was logged (0..1). */
    public record Point(double position, double loss) {}

    /** Share of the budget before a checkpoint whose logged losses are averaged: one batch's loss is noisy. */
    static final double WINDOW = 0.1;
    /** Earlier results a checkpoint needs before it judges anyone; with fewer, every run goes on. */
    static final int MIN_PEERS = 2;

    private final double[] fractions;
    private final double eta;
    private final Double budgetMs;
    private final double[][] peers; // per checkpoint, the earlier runs' values there
    private final List<Point> live = new ArrayList<>();
    private int next, lastStep = -1;
    private String reason;
    private double stoppedAt = Double.NaN;

    /**
     * @param fractions  the checkpoints, fractions of the budget in (0, 1), growing
     * @param eta        a run goes on while it is in the best 1/eta at a checkpoint
     * @param budgetMs   the run's wall-clock training cap in ms, or null when it is capped by steps
     * @param peerCurves the training-loss curves of the earlier runs of the same tier (see {@link #curve})
     */
    public CheckpointHalving(List<Double> fractions, double eta, Double budgetMs, List<List<Point>> peerCurves) {
        this.fractions = fractions.stream().mapToDouble(Double::doubleValue).toArray();
        for (int i = 0; i < this.fractions.length; i++)
            if (!(this.fractions[i] > 0 && this.fractions[i] < 1) || (i > 0 && this.fractions[i] <= this.fractions[i - 1]))
                throw new IllegalArgumentException("--checkpoints must be growing fractions of the budget between 0 and 1, e.g. 0.3,0.6; got "
                        + fractions);
        if (!(eta > 1)) throw new IllegalArgumentException("--eta must be above 1");
        this.eta = eta;
        this.budgetMs = budgetMs == null || budgetMs <= 0 ? null : budgetMs;
        this.peers = new double[this.fractions.length][];
        for (int i = 0; i < this.fractions.length; i++) {
            final double f = this.fractions[i];
            peers[i] = peerCurves.stream().mapToDouble(c -> valueAt(c, f)).filter(Double::isFinite).sorted().toArray();
        }
    }

    /** Parses "0.3,0.6" into checkpoint fractions (checked when a gate is built from them). */
    public static List<Double> parse(String spec) {
        List<Double> out = new ArrayList<>();
        for (String v : spec.split(",")) {
            try {
                out.add(Double.parseDouble(v.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--checkpoints: '" + v.strip() + "' is not a number; give fractions of the budget, e.g. 0.3,0.6");
            }
        }
        return out;
    }

    @Override
    public boolean stop(LiveProgress p) {
        if (reason != null || next >= fractions.length || p.step() == lastStep || !Double.isFinite(p.trainLoss())) return false;
        lastStep = p.step();
        double pos = position(p.step(), p.total(), p.trainTimeMs(), budgetMs);
        if (!Double.isFinite(pos)) return false;
        live.add(new Point(pos, p.trainLoss()));
        while (next < fractions.length && pos >= fractions[next]) {
            int i = next++;
            double v = valueAt(live, fractions[i]);
            if (!Double.isFinite(v) || peers[i].length < MIN_PEERS) continue;
            int better = (int) Arrays.stream(peers[i]).filter(x -> x < v).count();
            // the best ceil(n/eta) of the n runs there go on (ASHA floors: with few peers that stops too many)
            int quota = (int) Math.ceil((peers[i].length + 1) / eta);
            if (better >= quota) {
                reason = String.format(Locale.ROOT, "at %.0f%% of the budget its train_loss %.4f is not in the best 1/%s of the %d runs there (the cut is %.4f)",
                        100 * fractions[i], v, eta == Math.rint(eta) ? Long.toString((long) eta) : Double.toString(eta), peers[i].length + 1, peers[i][quota - 1]);
                stoppedAt = fractions[i];
                return true;
            }
        }
        return false;
    }

    @Override
    public String reason() { return reason; }

    /** The checkpoint (fraction of the budget) the run was stopped at; NaN while it goes on. */
    public double stoppedAt() { return stoppedAt; }

    /** Where a step line stands in the budget: training time over the cap, or step over total without a cap; NaN if neither is known. */
    static double position(int step, int total, double trainTimeMs, Double budgetMs) {
        if (budgetMs != null) return Double.isFinite(trainTimeMs) ? trainTimeMs / budgetMs : Double.NaN;
        return total > 0 && step >= 0 ? step / (double) total : Double.NaN;
    }

    /** The mean loss logged in the window just before the checkpoint, NaN if the curve has none there or never got that far. */
    public static double valueAt(List<Point> curve, double fraction) {
        if (curve.isEmpty() || curve.get(curve.size() - 1).position() < fraction) return Double.NaN;
        return curve.stream().filter(q -> q.position() > fraction - WINDOW && q.position() <= fraction)
                .mapToDouble(Point::loss).average().orElse(Double.NaN);
    }

    /** A finished (or stopped) run's training-loss curve, read from its log the way a live run is read. */
    public static List<Point> curve(Path log, Double budgetMs) throws IOException {
        Double cap = budgetMs == null || budgetMs <= 0 ? null : budgetMs;
        List<Point> out = new ArrayList<>();
        LiveProgress p = new LiveProgress();
        int last = -1;
        try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!p.accept(line) || p.step() == last || !Double.isFinite(p.trainLoss())) continue;
                last = p.step();
                double pos = position(p.step(), p.total(), p.trainTimeMs(), cap);
                if (Double.isFinite(pos)) out.add(new Point(pos, p.trainLoss()));
            }
        }
        return out;
    }
}
