package dev.caddie.gate;

import dev.caddie.task.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class KeepRuleTest {
    private static final Metric BPB = new Metric("val_bpb", true);

    @Test
    void tierNoiseIsThePooledStandardDeviationOfSeedsOfTheSameCommit() {
        TierNoise n = TierNoise.pooled(List.of(List.of(1.0, 1.2, 1.1), List.of(2.0), List.of(3.0, 3.2)));
        // deviations: (-0.1, 0.1, 0) and (-0.1, 0.1): 0.04 over 2 + 1 degrees of freedom
        assertThat(n.sigma()).isCloseTo(Math.sqrt(0.04 / 3), within(1e-12));
        assertThat(n.seeds()).isEqualTo(5);
        assertThat(n.commits()).isEqualTo(2);
        assertThat(TierNoise.pooled(List.of(List.of(1.0), List.of()))).isNull();
    }

    @Test
    void theNoiseRuleKeepsOnlyGainsAboveKSigma() {
        TierNoise noise = new TierNoise(0.004, 3, 1);
        KeepRule.Decision small = KeepRule.decide(KeepRule.NOISE, BPB, 2.995, 3.000, 0.0, 2.0, noise);
        assertThat(small.keep()).isFalse();
        assertThat(small.threshold()).isEqualTo(0.008);
        assertThat(small.reason()).contains("beats the best 3.000000 by 0.005000; needed more than 0.008000 (2.0 sigma, sigma 0.004000 from 3 seeds of 1 commit(s))");
        assertThat(KeepRule.decide(KeepRule.NOISE, BPB, 2.990, 3.000, 0.0, 2.0, noise).keep()).isTrue();
    }

    @Test
    void theMarginRuleIgnoresNoiseAndTheMarginIsAFloorForBoth() {
        TierNoise noise = new TierNoise(0.004, 3, 1);
        assertThat(KeepRule.decide(KeepRule.MARGIN, BPB, 2.995, 3.000, 0.0, 2.0, noise).keep()).isTrue();
        assertThat(KeepRule.decide(KeepRule.NOISE, BPB, 2.990, 3.000, 0.02, 2.0, noise).keep()).isFalse();
        KeepRule.Decision unmeasured = KeepRule.decide(KeepRule.NOISE, BPB, 2.999, 3.000, 0.0, 2.0, null);
        assertThat(unmeasured.keep()).isTrue();
        assertThat(unmeasured.reason()).contains("no seed noise measured yet");
    }

    @Test
    void theSotaRuleAsksForLessAsTheBestClosesInOnTheStateOfTheArt() {
        // 10% of the gap: 0.01 when the best is 0.1 away from the SOTA, 0.001 when it is 0.01 away
        assertThat(KeepRule.decide(KeepRule.SOTA, BPB, 1.195, 1.200, 0.0, 2, null, 1.100, 0.1).keep()).isFalse();
        assertThat(KeepRule.decide(KeepRule.SOTA, BPB, 1.185, 1.200, 0.0, 2, null, 1.100, 0.1).keep()).isTrue();
        KeepRule.Decision close = KeepRule.decide(KeepRule.SOTA, BPB, 1.1085, 1.110, 0.0, 2, null, 1.100, 0.1);
        assertThat(close.keep()).isTrue();
        assertThat(close.reason()).contains("10% of the gap 0.010000 to the SOTA 1.100000");
    }

    @Test
    void aWorseResultIsNeverKept() {
        KeepRule.Decision d = KeepRule.decide(KeepRule.MARGIN, BPB, 3.1, 3.0, 0.0, 2.0, null);
        assertThat(d.keep()).isFalse();
        assertThat(d.reason()).startsWith("3.100000 does not beat the best 3.000000");
        assertThat(KeepRule.decide(KeepRule.MARGIN, new Metric("accuracy", false), 0.9, 0.8, 0.0, 2.0, null).keep()).isTrue();
    }
}
