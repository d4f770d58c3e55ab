package dev.caddie.cli;

import dev.caddie.gate.TierTransfer;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Calibration;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "calibrate", description = "How well the cheap tier predicts the dear one: rank correlation and a linear map of score deltas, with a prediction interval and a chart.")
final class CalibrateCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--cheap", description = "cheaper tier, or a tournament rung as the ledger names it (e.g. local@MAX_WALLCLOCK_SECONDS=7) (default: the loop's tier)") String cheap;
    @Option(names = "--dear", description = "dearer tier (default: the promotion tier)") String dear;
    @Option(names = "--tag", description = "experiment tag (default: the last one used)") String tag;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        String c = cheap != null ? cheap : task.loop().tier(), d = dear != null ? dear : task.budget().promoteTier();
        // a tournament records its rungs as TIER@RUNG: the tier must exist, the rung is whatever the ledger holds
        task.tier(c.contains("@") ? c.substring(0, c.indexOf('@')) : c);
        task.tier(d.contains("@") ? d.substring(0, d.indexOf('@')) : d);
        try (Ledger l = LedgerCommand.read(ws)) {
            String t = LoopRunner.existingTag(l, tag);
            TierTransfer fit = Calibration.fit(l, t, c, d);
            PrintStream o = System.out;
            o.printf("%d commit(s) of tag %s scored on both %s and %s (deltas against candidate %s)%n", fit.n(), t, c, d,
                    fit.n() == 0 ? "-" : Long.toString(fit.pairs().get(0).candidateId()));
            if (!fit.usable()) {
                o.println("not enough to calibrate: needs at least 3 commits scored on both tiers, with different scores");
                return 0;
            }
            o.printf(Locale.ROOT, "rank correlation (Spearman): %.3f%n", fit.spearman());
            o.printf(Locale.ROOT, "%s delta = %.4f + %.4f x %s delta   (R^2 %.3f, residual sigma %.6f)%n", d, fit.intercept(), fit.slope(), c, fit.r2(), fit.residualSigma());
            double typical = fit.pairs().stream().mapToDouble(TierTransfer.Pair::cheapDelta).map(Math::abs).average().orElse(0);
            TierTransfer.Prediction p = fit.predict(-typical, 0.9);
            o.printf(Locale.ROOT, "a %s improvement of %.6f predicts %.6f on %s (90%% interval %.6f..%.6f)%n", c, typical, -p.mean(), d, -p.high(), -p.low());
            o.println(fit.n() >= Calibration.MIN_PAIRS ? "promotion uses this prediction" : "promotion uses it from " + Calibration.MIN_PAIRS + " commits on");
            chart(o, fit, c, d);
        }
        return 0;
    }

    /** A scatter of the pairs with the fitted line, in text. */
    static void chart(PrintStream o, TierTransfer fit, String cheap, String dear) {
        int w = 48, h = 14;
        double x0 = fit.pairs().stream().mapToDouble(TierTransfer.Pair::cheapDelta).min().orElse(0), x1 = fit.pairs().stream().mapToDouble(TierTransfer.Pair::cheapDelta).max().orElse(1);
        double y0 = fit.pairs().stream().mapToDouble(TierTransfer.Pair::dearDelta).min().orElse(0), y1 = fit.pairs().stream().mapToDouble(TierTransfer.Pair::dearDelta).max().orElse(1);
        if (x1 == x0) x1 = x0 + 1e-9;
        if (y1 == y0) y1 = y0 + 1e-9;
        char[][] g = new char[h][w];
        for (char[] row : g) java.util.Arrays.fill(row, ' ');
        for (int i = 0; i < w; i++) {
            double x = x0 + (x1 - x0) * i / (w - 1), y = fit.intercept() + fit.slope() * x;
            int r = (int) Math.round((y1 - y) / (y1 - y0) * (h - 1));
            if (r >= 0 && r < h) g[r][i] = '.';
        }
        for (TierTransfer.Pair p : fit.pairs()) {
            int col = (int) Math.round((p.cheapDelta() - x0) / (x1 - x0) * (w - 1)), row = (int) Math.round((y1 - p.dearDelta()) / (y1 - y0) * (h - 1));
            g[row][col] = '*';
        }
        o.printf(Locale.ROOT, "%n  %s delta (up: %+.4f, down: %+.4f); * a commit, . the fit%n", dear, y1, y0);
        for (char[] row : g) o.println("  |" + new String(row));
        o.println("  +" + "-".repeat(w));
        o.printf(Locale.ROOT, "   %s delta from %+.4f to %+.4f%n", cheap, x0, x1);
    }
}
