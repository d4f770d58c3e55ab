package dev.caddie.cli;

import dev.caddie.LoopbackSshd;
import dev.caddie.Needs;
import dev.caddie.Requirement;
import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.Workspace;
import dev.caddie.run.Runner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** `caddie run` and `caddie executors check` with a tier on an SSH host (a real sshd on loopback), as a user runs them. */
@Needs(Requirement.SSHD)
class RemoteTierTest {
    private static LoopbackSshd sshd;
    @TempDir Path tmp;

    @BeforeAll
    static void startSshd(@TempDir Path dir) throws Exception { sshd = LoopbackSshd.start(dir.resolve("sshd")); }

    @AfterAll
    static void stopSshd() { if (sshd != null) sshd.close(); }

    /**
     * A Tiny Golf workspace whose test tier runs on [executor.box]; the remote's workspace holds the same data (as
     * `setup` or an rsync would put it there). The remote has its own java on PATH; here, the JDK the tests run on.
     */
    private Path workspace(String marker) throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path remoteWs = Files.createDirectories(tmp.resolve("remote-ws"));
        Files.createSymbolicLink(remoteWs.resolve("data"), ws.resolve("data"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String toml = Files.readString(ws.resolve("caddie.toml")).replace("micro_first = true", "micro_first = false")
                .replace("[tiers.test]\nexecutor = \"local\"", "[tiers.test]\nexecutor = \"ssh:box\"\ncommand = [\"" + java + "\", \"-Dmarker=" + marker
                        + "\", \"train.java\"]\nfetch = [\"final_model.*\", \"no-such-file\"]");
        toml += """

                [tiers.slow]
                executor = "ssh:box"
                command = ["bash", "-c", "echo step:1/100 train_loss:5.0000; exec sleep %s"]
                timeout_seconds = 600
                cost_per_hour = 3.6

                [executor.box]
                kind = "ssh"
                host = "%s"
                workdir = "%s"
                workspace = "%s"
                ssh_options = ["-F", "%s"]
                """.formatted(marker, LoopbackSshd.HOST, tmp.resolve("remote"), remoteWs, sshd.sshOptions().get(1));
        Files.writeString(ws.resolve("caddie.toml"), toml);
        return ws;
    }

    @Test
    void aLoopOnAnSshTierRecordsRemoteRunsLikeLocalOnesWithTheirLogsAndFiles() throws Exception {
        Path ws = workspace("unused");
        Process p = CaddieProcessTestSupport.caddie(ws, tmp.resolve("out.txt"), "run", "--tier", "test", "--experiments", "2", "--tag", "r");
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(tmp.resolve("out.txt"));
        assertThat(p.exitValue()).as(out).isZero();
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            List<Experiment> all = l.experiments("r");
            assertThat(all).hasSize(2);
            for (Experiment e : all) {
                RunRecord r = e.run();
                assertThat(r.executor()).isEqualTo("ssh:box");
                assertThat(r.status()).as(r.error()).isEqualTo("ok");
                assertThat(r.valBpb()).isNotNull();
                assertThat(r.remote()).contains("/runs/");
                assertThat(r.logSha256()).isEqualTo(Runner.sha256(Path.of(r.logPath())));
                assertThat(Path.of(r.logPath()).resolveSibling("files")).isDirectoryContaining("glob:**/final_model.int*.ptz");
            }
            assertThat(all.get(0).verdict().verdict()).isEqualTo(Verdict.KEEP);
        }
        try (var left = Files.list(tmp.resolve("remote/runs"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void killMinusNineOfCaddieThenARestartStopsTheRemoteRunAndMarksItInterrupted() throws Exception {
        String marker = Long.toString(300_000 + System.nanoTime() % 600_000);
        Path ws = workspace(marker);
        Process first = CaddieProcessTestSupport.caddie(ws, tmp.resolve("first.txt"), "run", "--tier", "slow", "--experiments", "1", "--tag", "k9");
        RunRecord running = awaitRemote(ws);
        assertThat(running.pid()).as("a remote run records no local pid, which a restart could mistake for its own").isNull();
        first.destroyForcibly();
        first.waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        assertThat(sleeping(marker)).as("the remote run goes on without Caddie").isEqualTo(1);

        Process second = CaddieProcessTestSupport.caddie(ws, tmp.resolve("second.txt"), "budget", "status");
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50 && sleeping(marker) > 0; i++) Thread.sleep(100);
        assertThat(sleeping(marker)).as("the orphan was stopped on the remote").isZero();
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            RunRecord r = l.run(running.id()).orElseThrow();
            assertThat(r.status()).isEqualTo("interrupted");
            assertThat(r.error()).contains("it was stopped on ssh:box");
            assertThat(l.experiments("k9").get(0).verdict().verdict()).isEqualTo(Verdict.INTERRUPTED);
        }
    }

    /**
     * A run that a killed Caddie left going on the SSH host is taken up by the next `caddie run`: its log goes on
     * where the ledger's copy stopped (nothing lost or doubled), and its candidate is judged on the real score.
     */
    @Test
    void killMinusNineOfCaddieThenTheNextRunTakesTheRemoteRunUpAndJudgesIt() throws Exception {
        String marker = "5." + (100_000 + System.nanoTime() % 800_000);
        Path ws = workspace("unused");
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")).replace("keep_rule = \"noise\"", "keep_rule = \"margin\"") + """

                [tiers.adopt]
                executor = "ssh:box"
                command = ["bash", "-c", "echo step:1/100 train_loss:5.0000; sleep %s; echo step:100/100 train_loss:2.5000; echo 'Serialized model int8+zlib: 900 bytes'; echo 'Total submission size int8+zlib: 1000 bytes'; echo 'final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.5'"]
                timeout_seconds = 300
                cost_per_hour = 3.6
                """.formatted(marker));
        Process first = CaddieProcessTestSupport.caddie(ws, tmp.resolve("first.txt"), "run", "--tier", "adopt", "--experiments", "1", "--tag", "a");
        RunRecord running = awaitRemote(ws);
        for (int i = 0; i < 100 && !(Files.exists(Path.of(running.logPath())) && Files.readString(Path.of(running.logPath())).contains("step:1/100")); i++)
            Thread.sleep(100);
        first.destroyForcibly();
        first.waitFor(10, TimeUnit.SECONDS);
        assertThat(sleeping(marker)).as("the remote run goes on without Caddie").isPositive();

        Process second = CaddieProcessTestSupport.caddie(ws, tmp.resolve("second.txt"), "run", "--tier", "adopt", "--experiments", "1", "--tag", "a");
        assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(tmp.resolve("second.txt"));
        assertThat(out).contains("run " + running.id() + " on ssh:box was left going by a Caddie that died: taken up at byte");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            RunRecord r = l.run(running.id()).orElseThrow();
            assertThat(r.status()).as(out).isEqualTo("ok");
            assertThat(r.valBpb()).isEqualTo(1.5);
            String log = Files.readString(Path.of(r.logPath()));
            assertThat(log.split("step:1/100", -1)).as(log).hasSize(2); // once: nothing shown twice
            assertThat(log).contains("final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.5");
            assertThat(r.logSha256()).isEqualTo(Runner.sha256(Path.of(r.logPath())));
            Experiment adopted = l.experiments("a").stream().filter(e -> e.candidate().id() == running.candidateId()).findFirst().orElseThrow();
            assertThat(adopted.verdict().verdict()).as(adopted.verdict().reason()).isEqualTo(Verdict.KEEP);
        }
    }

    private static long sleeping(String marker) throws Exception {
        Process p = new ProcessBuilder("pgrep", "-f", "-c", "sleep " + marker).start();
        p.waitFor(5, TimeUnit.SECONDS);
        return Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
    }

    private static RunRecord awaitRemote(Path ws) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(new Workspace(ws).ledgerFile())) {
                try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
                    Optional<RunRecord> r = l.experiments(null).stream().map(Experiment::run)
                            .filter(x -> x != null && x.status().equals("running") && x.remote() != null).findFirst();
                    if (r.isPresent()) return r.get();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no remote run started within 120 s");
    }

    @Test
    void anUnreachableHostStopsTheLoopWithSshsWordsAndTheCandidateIsNotCountedAsACrash() throws Exception {
        Path ws = workspace("unused");
        int closed;
        try (var s = new java.net.ServerSocket(0)) { closed = s.getLocalPort(); }
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml"))
                .replace("ssh_options = [\"-F\", \"" + sshd.sshOptions().get(1) + "\"]", "ssh_options = [\"-F\", \"/dev/null\", \"-p\", \"" + closed + "\"]")
                .replace("host = \"" + LoopbackSshd.HOST + "\"", "host = \"127.0.0.1\""));
        Process p = CaddieProcessTestSupport.caddie(ws, tmp.resolve("out.txt"), "run", "--tier", "test", "--experiments", "3", "--tag", "u");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(tmp.resolve("out.txt"));
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("the ssh:box executor failed (unreachable)").contains("Connection refused").contains("caddie executors check");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            List<Experiment> all = l.experiments("u");
            assertThat(all).hasSize(1);
            assertThat(all.get(0).run().status()).isEqualTo("unreachable");
            assertThat(all.get(0).verdict().verdict()).isEqualTo(Verdict.INTERRUPTED);
        }
    }

    @Test
    void executorsCheckSaysReadyOrWhatIsWrongAndExitsNonZero() throws Exception {
        Path ws = workspace("unused");
        Process ok = CaddieProcessTestSupport.caddie(ws, tmp.resolve("ok.txt"), "executors", "check");
        assertThat(ok.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("ok.txt"))).contains("ssh:box (ssh caddie-test, workdir " + tmp.resolve("remote") + ", tiers test, slow): ready");
        assertThat(ok.exitValue()).isZero();

        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")).replace("workspace = \"" + tmp.resolve("remote-ws"), "workspace = \"/nonexistent/ws")
                .replace("ssh_options = [\"-F\", \"" + sshd.sshOptions().get(1) + "\"]", "ssh_options = [\"-F\", \"" + sshd.wrongKeyOptions().get(1) + "\", \"-o\", \"ControlPath=none\"]"));
        Process bad = CaddieProcessTestSupport.caddie(ws, tmp.resolve("bad.txt"), "executors", "check", "box");
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("bad.txt"))).contains("ssh:box").contains(": auth").contains("Permission denied");
        assertThat(bad.exitValue()).isEqualTo(1);

        Process none = CaddieProcessTestSupport.caddie(ws, tmp.resolve("none.txt"), "executors", "check", "nosuch");
        assertThat(none.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("none.txt"))).contains("no executor 'nosuch' in caddie.toml; configured: ssh:box");
        assertThat(none.exitValue()).isEqualTo(2);
    }
}
