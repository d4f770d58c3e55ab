package dev.caddie.loop;

import dev.caddie.gate.CheckpointHalving;
import dev.caddie.ledger.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RunCurvesTest {
    @TempDir Path tmp;

    private static RunRecord run(long id, String status, Path log) {
        return new RunRecord(id, 1, "local", 1337, "local", status, null, null, null, null, null, log == null ? null : log.toString(),
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void anEndedRunsLogIsReadOnceAndALiveOnesEveryTime() throws Exception {
        Path log = tmp.resolve("log.txt");
        Files.writeString(log, "step:1/10 train_loss:5.0000\nstep:2/10 train_loss:4.0000\n");
        RunCurves curves = new RunCurves();
        RunRecord ended = run(1, "aborted", log), live = run(2, "running", log);
        assertThat(curves.of(ended, null)).extracting(CheckpointHalving.Point::loss).containsExactly(5.0, 4.0);
        assertThat(curves.of(live, null)).hasSize(2);

        Files.writeString(log, "step:3/10 train_loss:3.0000\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(curves.of(ended, null)).as("kept from the first read").hasSize(2);
        assertThat(curves.of(live, null)).as("a live run's log grows").extracting(CheckpointHalving.Point::loss).containsExactly(5.0, 4.0, 3.0);
        assertThat(curves.of(run(3, "ok", null), null)).as("no log").isNull();
        assertThat(curves.of(run(4, "ok", tmp.resolve("gone.txt")), null)).as("a log that is gone").isNull();
    }
}
