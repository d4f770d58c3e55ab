package dev.caddie.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Real subprocesses through the local executor: how each kind of ending is classified. */
class RunnerTest {
    @TempDir Path tmp;
    private final Runner runner = new Runner(new LocalExecutor());

    private RunOutcome run(String script, int timeoutSeconds) throws Exception {
        return runner.run(new RunSpec(tmp, List.of("bash", "-c", script), Map.of(), Duration.ofSeconds(timeoutSeconds), tmp.resolve("log.txt")),
                new Runner.Listener() {});
    }

    @Test
    void aFinishedRunIsOkAndItsLogChecksumMatchesTheFile() throws Exception {
        RunOutcome o = run("echo 'step:1/2 train_loss:5.0000 train_time:1ms step_avg:1.00ms'; "
                + "echo 'final_int8_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.20000000'; echo 'Total submission size int8+zlib: 100 bytes'", 30);
        assertThat(o.status()).isEqualTo(RunStatus.OK);
        assertThat(o.summary().score().valBpb()).isEqualTo(1.2);
        assertThat(o.summary().artifactBytes()).isEqualTo(100L);
        assertThat(o.logSha256()).isEqualTo(Runner.sha256(tmp.resolve("log.txt")));
    }

    @dev.caddie.Needs(dev.caddie.Requirement.PYTHON3)

    @Test
    void aPythonTracebackIsACrashWithItsLines() throws Exception {
        RunOutcome o = run("echo step:1/10 train_loss:5.0; python3 -c \"def f():\n    raise ValueError('boom')\nf()\"", 30);
        assertThat(o.status()).isEqualTo(RunStatus.CRASHED);
        assertThat(o.errorLines()).first().isEqualTo("Traceback (most recent call last):");
        assertThat(o.errorLines()).last().isEqualTo("ValueError: boom");
    }

    @Test
    void outOfMemoryNanAndSilenceAreToldApart() throws Exception {
        assertThat(run("echo 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB'; exit 1", 30).status()).isEqualTo(RunStatus.OUT_OF_MEMORY);
        assertThat(run("echo 'step:3/10 train_loss:nan train_time:3ms step_avg:1.00ms'; exit 0", 30).status()).isEqualTo(RunStatus.DIVERGED);
        assertThat(run("echo hello", 30).status()).isEqualTo(RunStatus.NO_METRIC);
        RunOutcome killed = run("kill -9 $$", 30);
        assertThat(killed.status()).isEqualTo(RunStatus.KILLED);
        assertThat(killed.errorText()).contains("signal 9");
    }

    @Test
    void theTimeoutStopsTheWholeProcessTree() throws Exception {
        String marker = Long.toString(100_000 + System.nanoTime() % 800_000);
        // a grandchild in its own subshell, and one that ignores SIGTERM
        RunOutcome o = run("(sleep " + marker + " &) ; trap '' TERM; sleep " + marker + " & wait", 2);
        assertThat(o.status()).isEqualTo(RunStatus.TIMED_OUT);
        assertThat(o.durationMs()).isLessThan(20_000);
        assertThat(processesMatching("sleep " + marker)).as("processes left").isZero();
    }

    static long processesMatching(String text) throws Exception {
        Process p = new ProcessBuilder("pgrep", "-f", "-c", text).start();
        p.waitFor(5, TimeUnit.SECONDS);
        return Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
    }

    @Test
    void aCommandThatDoesNotExistCannotStartAndNamesIt() throws Exception {
        RunOutcome o = runner.run(new RunSpec(tmp, List.of("no-such-trainer-xyz"), Map.of(), Duration.ofSeconds(5), tmp.resolve("l.txt")),
                new Runner.Listener() {});
        assertThat(o.status()).isEqualTo(RunStatus.NOT_STARTED);
        assertThat(o.errorText()).contains("it is not on PATH");
        assertThat(o.errorText()).contains("no-such-trainer-xyz");
        assertThat(Files.exists(tmp.resolve("l.txt"))).isTrue();
    }
}
