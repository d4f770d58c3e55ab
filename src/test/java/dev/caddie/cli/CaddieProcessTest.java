package dev.caddie.cli;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** A real Caddie process, stopped with Ctrl-C or killed with -9 in the middle of a run. */
class CaddieProcessTest {
    @TempDir Path tmp;

    /** A tier whose run prints a step line and then sleeps, so it is reliably mid-run when stopped. */
    private static final String SLOW_TIER = """

            [tiers.slow]
            executor = "local"
            command = ["bash", "-c", "echo step:1/100 train_loss:5.0000; sleep 6000"]
            timeout_seconds = 600
            cost_per_hour = 0.0
            """;

    private Path workspace() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        String toml = Files.readString(ws.resolve("caddie.toml")).replace("micro_first = true", "micro_first = false");
        Files.writeString(ws.resolve("caddie.toml"), toml + SLOW_TIER);
        return ws;
    }

    static Process caddie(Path ws, Path out, String... args) throws Exception { return CaddieProcessTestSupport.caddie(ws, out, args); }

    /** Waits until the ledger shows a running run with its process recorded. */
    private static RunRecord awaitRunning(Path ws) throws Exception {
        long deadline = System.currentTimeMillis() + 150_000; // a loaded 2-core CI machine once needed more than 60 s
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(new Workspace(ws).ledgerFile())) {
                try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
                    Optional<RunRecord> r = l.experiments(null).stream().map(Experiment::run)
                            .filter(x -> x != null && x.status().equals("running") && x.pid() != null).findFirst();
                    if (r.isPresent()) return r.get();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no run started within 150 s");
    }

    private static boolean alive(long pid) { return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); }

    private static void awaitGone(long pid) throws InterruptedException {
        for (int i = 0; i < 100 && alive(pid); i++) Thread.sleep(100);
    }

    @Test
    void killMinusNineMidRunThenARestartMarksTheRunInterruptedAndStopsItsProcesses() throws Exception {
        Path ws = workspace();
        Process first = caddie(ws, tmp.resolve("first.txt"), "run", "--tier", "slow", "--experiments", "1", "--tag", "k9");
        RunRecord running = awaitRunning(ws);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        first.waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertThat(alive(running.pid())).as("the orphaned run is still going before the restart").isTrue();

        Process second = caddie(ws, tmp.resolve("second.txt"), "run", "--tier", "test", "--experiments", "1", "--tag", "k9");
        assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as(Files.readString(tmp.resolve("second.txt"))).isZero();
        awaitGone(running.pid());
        assertThat(alive(running.pid())).as("the orphaned run was stopped").isFalse();
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            List<Experiment> all = l.experiments("k9");
            assertThat(all).hasSize(2);
            assertThat(all.get(0).run().status()).isEqualTo("interrupted");
            assertThat(all.get(0).verdict().verdict()).isEqualTo(Verdict.INTERRUPTED);
            assertThat(all.get(1).run().status()).isEqualTo("ok");
            assertThat(all.get(1).verdict()).isNotNull();
        }
        assertThat(Files.readString(tmp.resolve("second.txt"))).contains("marked interrupted");
    }

    /**
     * Whether this process ignores SIGINT, as everything started from a shell's background job without job
     * control does (POSIX has such a shell ignore SIGINT and SIGQUIT for it): the Caddie it starts inherits
     * that, its JVM installs no Ctrl-C handler, and no SIGINT can stop it, however Caddie handles one.
     */
    private static boolean sigintIgnored() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return false;
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
                .anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 0b10) != 0); // bit 1: signal 2
    }

    @Test
    void ctrlCStopsTheRunRecordsItInterruptedAndLeavesNoProcess() throws Exception {
        assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started as a background job?), so a Ctrl-C cannot reach Caddie");
        Path ws = workspace();
        Process caddie = caddie(ws, tmp.resolve("out.txt"), "run", "--tier", "slow", "--experiments", "3", "--tag", "cc");
        RunRecord running = awaitRunning(ws);
        new ProcessBuilder("kill", "-INT", Long.toString(caddie.pid())).start().waitFor();
        assertThat(caddie.waitFor(150, TimeUnit.SECONDS)).isTrue();
        awaitGone(running.pid());
        assertThat(alive(running.pid())).isFalse();
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            List<Experiment> all = l.experiments("cc");
            assertThat(all).hasSize(1);
            assertThat(all.get(0).run().status()).isEqualTo("interrupted");
            assertThat(all.get(0).verdict().verdict()).isEqualTo(Verdict.INTERRUPTED);
        }
        assertThat(Files.readString(tmp.resolve("out.txt"))).contains("recorded as interrupted");
    }
}
