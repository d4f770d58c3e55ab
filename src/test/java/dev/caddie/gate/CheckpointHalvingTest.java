package dev.caddie.gate;

import dev.caddie.run.LiveProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointHalvingTest {
    @TempDir Path tmp;

    /** Log lines of a wall-clock-capped run (10 s): a step every 100 ms, the loss falling from start by drop per second. */
    static List<String> log(double start, double drop, double untilS) {
        List<String> out = new ArrayList<>();
        out.add("model_params:12345");
        for (int step = 1; step * 0.1 <= untilS + 1e-9; step++) {
            double t = step * 0.1;
            out.add(String.format(Locale.ROOT, "step:%d/20000 train_loss:%.4f train_time:%.0fms step_avg:100.00ms", step, start - drop * t, t * 1000));
            if (step % 20 == 0) out.add(String.format(Locale.ROOT, "step:%d/20000 val_loss:9.0 val_bpb:9.0 train_time:%.0fms step_avg:100.00ms", step, t * 1000));
        }
        return out;
    }

    List<CheckpointHalving.Point> curve(String name, double start, double drop) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, log(start, drop, 10));
        return CheckpointHalving.curve(f, 10_000.0);
    }

    /** Feeds a live run's lines to the gate; the index of the line it stopped at, or -1. */
    static int feed(CheckpointHalving gate, List<String> lines) {
        LiveProgress p = new LiveProgress();
        for (int i = 0; i < lines.size(); i++) {
            p.accept(lines.get(i));
            if (gate.stop(p)) return i;
        }
        return -1;
    }

    @Test
    void aRunOutsideTheBestHalfAtACheckpointIsStoppedThereWithTheCutInItsReason() throws Exception {
        var peers = List.of(curve("a", 5.0, 0.20), curve("b", 5.0, 0.25), curve("c", 5.0, 0.10));
        var gate = new CheckpointHalving(List.of(0.5), 2, 10_000.0, peers);
        List<String> lines = log(5.0, 0.15, 10);
        int at = feed(gate, lines);
        assertThat(at).isPositive();
        assertThat(lines.get(at)).startsWith("step:50/"); // the first step line at 50% of the 10 s budget
        // mean of the losses logged in (40%, 50%]: a run dropping 0.15 per second has 5 - 0.15 * 4.55 there
        assertThat(gate.reason()).startsWith("at 50% of the budget its train_loss 4.3175 is not in the best 1/2 of the 4 runs there")
                .endsWith("(the cut is 4.0900)");
        assertThat(gate.stoppedAt()).isEqualTo(0.5);
    }

    @Test
    void aRunInTheBestHalfGoesOnThroughEveryCheckpoint() throws Exception {
        var peers = List.of(curve("a", 5.0, 0.20), curve("b", 5.0, 0.25), curve("c", 5.0, 0.10));
        var gate = new CheckpointHalving(List.of(0.3, 0.6), 2, 10_000.0, peers);
        assertThat(feed(gate, log(5.0, 0.22, 10))).isEqualTo(-1);
        assertThat(gate.reason()).isNull();
    }

    @Test
    void withFewerThanTwoEarlierRunsEveryRunGoesOn() throws Exception {
        var gate = new CheckpointHalving(List.of(0.5), 2, 10_000.0, List.of(curve("a", 1.0, 0.01)));
        assertThat(feed(gate, log(9.0, 0.01, 10))).isEqualTo(-1);
    }

    @Test
    void aPeerStoppedBeforeACheckpointDoesNotCountThere() throws Exception {
        Path stopped = tmp.resolve("stopped");
        Files.write(stopped, log(1.0, 0.01, 3)); // a very good loss, but it never reached 50%
        var peers = List.of(CheckpointHalving.curve(stopped, 10_000.0), curve("b", 5.0, 0.25));
        // one peer at 50%: too few to judge, so even a poor run goes on
        assertThat(feed(new CheckpointHalving(List.of(0.5), 2, 10_000.0, peers), log(5.0, 0.05, 10))).isEqualTo(-1);
    }

    @Test
    void withoutAWallClockCapThePositionIsStepOverTotal() {
        // 100 steps in all, logged every step, with no train_time at all: checkpoint 0.5 is step 50
        List<String> good = new ArrayList<>(), bad = new ArrayList<>();
        for (int s = 1; s <= 100; s++) {
            good.add(String.format(Locale.ROOT, "step:%d/100 train_loss:%.4f", s, 5 - 0.02 * s));
            bad.add(String.format(Locale.ROOT, "step:%d/100 train_loss:%.4f", s, 5 - 0.001 * s));
        }
        var peers = List.of(points(good), points(good));
        var gate = new CheckpointHalving(List.of(0.5), 2, null, peers);
        assertThat(feed(gate, bad)).isEqualTo(49);
        assertThat(gate.reason()).startsWith("at 50% of the budget");
    }

    static List<CheckpointHalving.Point> points(List<String> lines) {
        List<CheckpointHalving.Point> out = new ArrayList<>();
        LiveProgress p = new LiveProgress();
        for (String l : lines) {
            p.accept(l);
            out.add(new CheckpointHalving.Point(p.step() / (double) p.total(), p.trainLoss()));
        }
        return out;
    }

    @Test
    void badCheckpointsAreRefusedWithWhatIsAccepted() {
        assertThatThrownBy(() -> new CheckpointHalving(List.of(0.6, 0.3), 2, null, List.of()))
                .hasMessageContaining("--checkpoints must be growing fractions of the budget between 0 and 1");
        assertThatThrownBy(() -> new CheckpointHalving(List.of(1.0), 2, null, List.of())).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> CheckpointHalving.parse("0.5,half")).hasMessageContaining("'half' is not a number");
        assertThatThrownBy(() -> new CheckpointHalving(List.of(0.5), 1, null, List.of())).hasMessageContaining("--eta must be above 1");
    }
}
