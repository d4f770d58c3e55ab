package dev.caddie.gate;

import dev.caddie.run.LogSummary.ValPoint;
import dev.caddie.task.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EarlyAbortTest {
    private static final Metric BPB = new Metric("val_bpb", true);
    private static final List<ValPoint> BEST = List.of(new ValPoint(0, 8.0, 5.5), new ValPoint(100, 4.0, 2.8),
            new ValPoint(200, 3.5, 2.4), new ValPoint(300, 3.2, 2.2));

    @Test
    void aRunClearlyBehindTheBestAtTwoCheckpointsInARowIsStopped() {
        EarlyAbort oracle = new EarlyAbort(BEST, BPB, 0.1);
        assertThat(oracle.accept(0, 8.0)).isFalse();
        assertThat(oracle.accept(100, 4.5)).isFalse(); // one strike
        assertThat(oracle.accept(200, 3.9)).isTrue();
        assertThat(oracle.reason()).contains("at step 200 val_bpb 3.9000 is 0.4000 worse than the best run's 3.5000 there (margin 0.1000)");
    }

    @Test
    void oneBadCheckpointOrAGapWithinTheMarginIsForgiven() {
        EarlyAbort oracle = new EarlyAbort(BEST, BPB, 0.1);
        assertThat(oracle.accept(100, 4.5)).isFalse();
        assertThat(oracle.accept(200, 3.55)).isFalse(); // back within the margin: strikes reset
        assertThat(oracle.accept(300, 3.5)).isFalse();
        assertThat(oracle.accept(400, 9.0)).as("beyond the reference curve there is nothing to compare").isFalse();
    }

    @Test
    void referenceValuesBetweenCheckpointsAreInterpolated() {
        EarlyAbort oracle = new EarlyAbort(BEST, BPB, 0.1);
        assertThat(oracle.referenceAt(150)).isCloseTo(3.75, within(1e-12));
        assertThat(oracle.referenceAt(-5)).isNull();
    }

    @Test
    void withoutMeasuredNoiseOrACurveThereIsNoOracle() {
        assertThat(EarlyAbort.forTier(BEST, BPB, null, 3)).isNull();
        assertThat(EarlyAbort.forTier(List.of(), BPB, new TierNoise(0.01, 3, 1), 3)).isNull();
        assertThat(EarlyAbort.forTier(BEST, BPB, new TierNoise(0.01, 3, 1), 3)).isNotNull();
    }
}
