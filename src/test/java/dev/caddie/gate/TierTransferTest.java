package dev.caddie.gate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TierTransferTest {
    /** Dear delta = 0.5 x cheap delta + noise of the given sigma. */
    private static TierTransfer sample(int n, double sigma, long seed) {
        Random r = new Random(seed);
        List<TierTransfer.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double x = -0.1 + 0.2 * r.nextDouble();
            pairs.add(new TierTransfer.Pair(i, x, 0.5 * x + sigma * r.nextGaussian()));
        }
        return new TierTransfer(pairs);
    }

    @Test
    void theFitRecoversALinearTransferAndItsNoise() {
        TierTransfer t = sample(200, 0.005, 1);
        assertThat(t.slope()).isCloseTo(0.5, within(0.02));
        assertThat(t.intercept()).isCloseTo(0.0, within(0.002));
        assertThat(t.residualSigma()).isCloseTo(0.005, within(0.001));
        assertThat(t.spearman()).isGreaterThan(0.95);
    }

    @Test
    void ninetyPercentIntervalsCoverAboutNinetyPercentOfNewCommits() {
        int covered = 0, trials = 400;
        Random r = new Random(7);
        for (int i = 0; i < trials; i++) {
            TierTransfer t = sample(8, 0.01, i);
            double x = -0.05 + 0.1 * r.nextDouble(), y = 0.5 * x + 0.01 * r.nextGaussian();
            TierTransfer.Prediction p = t.predict(x, 0.9);
            if (y >= p.low() && y <= p.high()) covered++;
        }
        assertThat(covered / (double) trials).isBetween(0.85, 0.95);
    }

    @Test
    void tooFewOrFlatPairsAreNotUsable() {
        assertThat(new TierTransfer(List.of(new TierTransfer.Pair(1, 0, 0), new TierTransfer.Pair(2, 0.1, 0.05))).usable()).isFalse();
        assertThat(new TierTransfer(List.of(new TierTransfer.Pair(1, 0, 0), new TierTransfer.Pair(2, 0, 0.05), new TierTransfer.Pair(3, 0, 0.1))).usable()).isFalse();
        assertThat(sample(5, 0.01, 3).usable()).isTrue();
    }
}
