package dev.caddie.run;

import dev.caddie.LoopbackSshd;
import dev.caddie.Needs;
import dev.caddie.Requirement;
import dev.caddie.task.ExecutorSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The SSH executor against a real sshd on loopback: shipping, live logs, the pinned files, stopping, fetching, failures. */
@Needs(Requirement.SSHD)
class SshExecutorTest {
    private static LoopbackSshd sshd;
    @TempDir Path tmp;

    @BeforeAll
    static void startSshd(@TempDir Path dir) throws Exception { sshd = LoopbackSshd.start(dir.resolve("sshd")); }

    @AfterAll
    static void stopSshd() { if (sshd != null) sshd.close(); }

    private static final String TRAIN = """
            #!/bin/bash
            echo "data=$DATA_PATH here=$(pwd)"
            for i in 1 2 3 4 5 6 7 8; do echo "step:$i/8 train_loss:$((10-i)).0000 train_time:${i}00ms step_avg:100.00ms"; sleep 0.4; done
            head -c 1000 /dev/zero > final_model.bin
            echo "final_int8_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.23450000"
            """;

    /** A repository holding train.sh, committed, standing for a candidate's worktree. */
    private Path repo(String script) throws Exception {
        return CandidateRepo.commit(tmp.resolve("repo"), Map.of("train.sh", script, "eval.txt", "pinned evaluation code\n"));
    }

    private ExecutorSpec spec(List<String> options) {
        return new ExecutorSpec("box", "ssh", LoopbackSshd.HOST, tmp.resolve("remote").toString(), tmp.resolve("remote-ws").toString(), options, List.of(), false);
    }

    private RunSpec run(Path repo, Map<String, String> env, int timeoutSeconds, Map<String, String> pinned, List<String> fetch) {
        return new RunSpec(repo, List.of("bash", "train.sh"), env, Duration.ofSeconds(timeoutSeconds), tmp.resolve("runs/7/log.txt"),
                "ssh:box", tmp.resolve("local-ws"), pinned, fetch, "run7");
    }

    @Test
    void aRemoteRunStreamsItsLogLiveAndEndsOkWithTheSameLogAndChecksum() throws Exception {
        Path repo = repo(TRAIN);
        List<Long> lineTimes = Collections.synchronizedList(new ArrayList<>());
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.currentTimeMillis();
        RunOutcome o = new Runner(new SshExecutor(spec(sshd.sshOptions()))).run(
                run(repo, Map.of("DATA_PATH", tmp.resolve("local-ws") + "/data/shards"), 60, Map.of(), List.of("final_model.bin")),
                new Runner.Listener() {
                    @Override public void line(String line, LiveProgress p) { lines.add(line); lineTimes.add(System.currentTimeMillis() - t0); }
                });
        assertThat(o.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.OK);
        assertThat(o.summary().score().valBpb()).isEqualTo(1.2345);
        assertThat(o.logSha256()).isEqualTo(Runner.sha256(tmp.resolve("runs/7/log.txt")));
        assertThat(Files.readAllLines(tmp.resolve("runs/7/log.txt"))).isEqualTo(lines);
        // Live: the first steps arrived well before the last one was printed (the steps take 3.2 s).
        int first = indexOf(lines, "step:1/8"), last = indexOf(lines, "final_int8");
        assertThat(lineTimes.get(last) - lineTimes.get(first)).isGreaterThan(1500);
        // {workspace} paths point at the executor's workspace; the run sits in its own folder under the workdir.
        assertThat(lines.get(0)).contains("data=" + tmp.resolve("remote-ws") + "/data/shards").contains("here=" + tmp.resolve("remote") + "/runs/");
        assertThat(tmp.resolve("runs/7/files/final_model.bin")).hasSize(1000);
        try (var left = Files.list(tmp.resolve("remote/runs"))) {
            assertThat(left.toList()).as("the run's remote folder is removed once its log and files are in").isEmpty();
        }
    }

    private static int indexOf(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(start)) return i;
        throw new AssertionError("no line starting with " + start + " in " + lines);
    }

    @Test
    void theCommittedTreeIsShippedNotStrayEditsAndAnUncommittedEditIsShippedAsTheEdit() throws Exception {
        Path repo = repo("echo committed\n");
        Files.writeString(repo.resolve("untracked.txt"), "not part of the candidate");
        RunOutcome o = new Runner(new SshExecutor(spec(sshd.sshOptions()))).run(
                new RunSpec(repo, List.of("bash", "-c", "bash train.sh; ls untracked.txt 2>&1 | head -1"), Map.of(), Duration.ofSeconds(30),
                        tmp.resolve("a/log.txt"), "ssh:box", repo, Map.of(), List.of(), "a"), new Runner.Listener() {});
        assertThat(Files.readString(tmp.resolve("a/log.txt"))).startsWith("committed\n").contains("No such file");
        Files.writeString(repo.resolve("train.sh"), "echo edited\n");
        new Runner(new SshExecutor(spec(sshd.sshOptions()))).run(new RunSpec(repo, List.of("bash", "train.sh"), Map.of(), Duration.ofSeconds(30),
                tmp.resolve("b/log.txt"), "ssh:box", repo, Map.of(), List.of(), "b"), new Runner.Listener() {});
        assertThat(Files.readString(tmp.resolve("b/log.txt"))).isEqualTo("edited\n");
    }

    @Test
    void aProtectedFileThatDiffersOrIsMissingOnTheRemoteRejectsTheRunByName() throws Exception {
        Path repo = repo(TRAIN);
        Files.createDirectories(tmp.resolve("remote-ws/data"));
        Files.writeString(tmp.resolve("remote-ws/data/val.bin"), "other validation data");
        String goodEval = Runner.sha256(repo.resolve("eval.txt"));
        RunOutcome o = new Runner(new SshExecutor(spec(sshd.sshOptions()))).run(run(repo, Map.of(), 30,
                Map.of("eval.txt", goodEval, "data/val.bin", "0".repeat(64), "data/tokenizer.model", "1".repeat(64)), List.of()), new Runner.Listener() {});
        assertThat(o.status()).isEqualTo(RunStatus.REJECTED);
        assertThat(o.errorText()).contains("data/val.bin differs from its pinned SHA-256").contains("data/tokenizer.model is missing")
                .doesNotContain("eval.txt");
        assertThat(o.status().machineFault()).isTrue();

        RunOutcome ok = new Runner(new SshExecutor(spec(sshd.sshOptions()))).run(run(repo, Map.of(), 30,
                Map.of("eval.txt", goodEval, "data/val.bin", Runner.sha256(tmp.resolve("remote-ws/data/val.bin"))), List.of()), new Runner.Listener() {});
        assertThat(ok.status()).isEqualTo(RunStatus.OK);
    }

    @Test
    void theTimeoutStopsTheRemoteProcessGroupAndKeepsTheLogSoFar() throws Exception {
        String marker = Long.toString(200_000 + System.nanoTime() % 700_000);
        Path repo = repo("echo started; sleep " + marker + " & trap '' TERM; sleep " + marker + "; wait\n");
        long t0 = System.currentTimeMillis();
        RunOutcome o = new Runner(new SshExecutor(spec(sshd.sshOptions()))).run(run(repo, Map.of(), 3, Map.of(), List.of()), new Runner.Listener() {});
        assertThat(o.status()).isEqualTo(RunStatus.TIMED_OUT);
        assertThat(System.currentTimeMillis() - t0).isLessThan(30_000);
        assertThat(Files.readString(tmp.resolve("runs/7/log.txt"))).startsWith("started\n");
        for (int i = 0; i < 50 && RunnerTest.processesMatching("sleep " + marker) > 0; i++) Thread.sleep(100);
        assertThat(RunnerTest.processesMatching("sleep " + marker)).as("remote processes left").isZero();
    }

    @Test
    void aRunLeftByADeadCaddieIsStoppedFromItsRecordedHandle() throws Exception {
        String marker = Long.toString(200_000 + System.nanoTime() % 700_000);
        Path repo = repo("echo started; sleep " + marker + "\n");
        SshExecutor ex = new SshExecutor(spec(sshd.sshOptions()));
        RunHandle h = ex.start(run(repo, Map.of(), 60, Map.of(), List.of()));
        assertThat(h.remote()).contains("\"pid\":").contains("/runs/");
        for (int i = 0; i < 50 && RunnerTest.processesMatching("sleep " + marker) == 0; i++) Thread.sleep(100);
        assertThat(RunnerTest.processesMatching("sleep " + marker)).isEqualTo(1);
        // A new executor, as a restarted Caddie would build from caddie.toml, with only the ledger's handle.
        new SshExecutor(spec(sshd.sshOptions())).stopOrphan(h.remote());
        for (int i = 0; i < 50 && RunnerTest.processesMatching("sleep " + marker) > 0; i++) Thread.sleep(100);
        assertThat(RunnerTest.processesMatching("sleep " + marker)).isZero();
        assertThat(h.waitFor(20_000)).isNotNull();
    }

    @Test
    void aHostThatDoesNotAnswerIsUnreachableAndAWrongKeyIsAuthEachWithSshsOwnWords() throws Exception {
        // A tree far larger than a pipe's buffer: ssh ends before reading it, so git archive is cut off mid-write,
        // and it is still ssh's words that say why, not git's silence.
        byte[] noise = new byte[3 << 20];
        new java.util.Random(7).nextBytes(noise);
        Path repo = CandidateRepo.commit(tmp.resolve("repo"), Map.of("train.sh", TRAIN, "weights.txt", java.util.Base64.getEncoder().encodeToString(noise)));
        int closed;
        try (var s = new java.net.ServerSocket(0)) { closed = s.getLocalPort(); }
        ExecutorSpec nobody = new ExecutorSpec("box", "ssh", "127.0.0.1", tmp.resolve("remote").toString(), null,
                List.of("-F", "/dev/null", "-p", Integer.toString(closed), "-o", "StrictHostKeyChecking=no"), List.of(), false);
        RunOutcome down = new Runner(new SshExecutor(nobody)).run(run(repo, Map.of(), 30, Map.of(), List.of()), new Runner.Listener() {});
        assertThat(down.status()).isEqualTo(RunStatus.UNREACHABLE);
        assertThat(down.errorText()).contains("Connection refused").contains("ssh 127.0.0.1");
        RunOutcome key = new Runner(new SshExecutor(spec(sshd.wrongKeyOptions()))).run(run(repo, Map.of(), 30, Map.of(), List.of()), new Runner.Listener() {});
        assertThat(key.status()).isEqualTo(RunStatus.AUTH);
        assertThat(key.errorText()).contains("Permission denied");
        assertThat(key.status().infrastructure()).isTrue();
    }

    @Test
    void checkSaysReadyOrNamesWhatIsMissing() throws Exception {
        Files.createDirectories(tmp.resolve("remote-ws"));
        assertThat(new SshExecutor(spec(sshd.sshOptions())).check()).isEmpty();
        ExecutorSpec noWorkspace = new ExecutorSpec("box", "ssh", LoopbackSshd.HOST, tmp.resolve("remote").toString(), tmp.resolve("nope").toString(),
                sshd.sshOptions(), List.of(), false);
        assertThat(new SshExecutor(noWorkspace).check()).singleElement().asString().contains("workspace " + tmp.resolve("nope") + " does not exist");
    }

    @Test
    void aFollowThatBreaksMidRunIsPickedUpAtItsByteWithNothingLostOrTwice() throws Exception {
        Path repo = repo("for i in $(seq 1 40); do echo \"line $i\"; sleep 0.1; done\necho 'final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.3'\n");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        boolean[] cut = {false};
        RunOutcome o = new Runner(new SshExecutor(spec(sshd.sshOptions()))).run(run(repo, Map.of(), 60, Map.of(), List.of()), new Runner.Listener() {
            @Override public void line(String line, LiveProgress p) {
                lines.add(line);
                if (line.equals("line 5") && !cut[0]) {
                    cut[0] = true;
                    try { // the local end of the first follow dies, as a dropped connection ends it
                        new ProcessBuilder("pkill", "-KILL", "-f", tmp.resolve("remote") + ".*caddie-started=").start().waitFor();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        });
        assertThat(o.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.OK);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 40; i++) expected.add("line " + i);
        expected.add("final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.3");
        assertThat(lines).isEqualTo(expected);
        assertThat(cut[0]).isTrue();
    }
}
