package dev.caddie.run;

import dev.caddie.LoopbackSshd;
import dev.caddie.Needs;
import dev.caddie.Requirement;
import dev.caddie.task.ExecutorSpec;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Slurm executor against a real one-node cluster (started by .ci/run): real sbatch, squeue, scancel and time limits. */
@Needs(Requirement.SLURM)
class SlurmExecutorTest {
    @TempDir Path tmp;

    private Path repo(String script) throws Exception { return CandidateRepo.commit(tmp.resolve("repo"), Map.of("train.sh", script)); }

    private ExecutorSpec spec(String host, List<String> ssh, List<String> sbatchArgs) {
        return new ExecutorSpec("campus", "slurm", host, tmp.resolve("shared").toString(), tmp.resolve("shared-ws").toString(), ssh, sbatchArgs, false);
    }

    private RunOutcome run(ExecutorSpec spec, Path repo, int timeoutSeconds, List<String> lines) throws Exception {
        return new Runner(new SlurmExecutor(spec)).run(new RunSpec(repo, List.of("bash", "train.sh"), Map.of("GREETING", "hello"),
                Duration.ofSeconds(timeoutSeconds), tmp.resolve("runs/3/log.txt"), "slurm:campus", tmp.resolve("ws"), Map.of(), List.of("model.bin"), "run3"),
                new Runner.Listener() {
                    @Override public void line(String line, LiveProgress p) { lines.add(line); }
                });
    }

    @Test
    void aJobRunsStreamsItsLogAndEndsOkWithItsFileFetched() throws Exception {
        Path repo = repo("""
                echo "$GREETING from job $SLURM_JOB_ID"
                for i in 1 2 3; do echo "step:$i/3 train_loss:$((5-i)).0000 train_time:${i}00ms step_avg:100.00ms"; sleep 0.3; done
                echo weights > model.bin
                echo "final_int8_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.11110000"
                """);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        RunOutcome o = run(spec(null, List.of(), List.of("--time=00:05:00")), repo, 120, lines);
        assertThat(o.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.OK);
        assertThat(lines.get(0)).matches("hello from job \\d+");
        assertThat(o.summary().score().valBpb()).isEqualTo(1.1111);
        assertThat(o.logSha256()).isEqualTo(Runner.sha256(tmp.resolve("runs/3/log.txt")));
        assertThat(tmp.resolve("runs/3/files/model.bin")).hasContent("weights");
    }

    /**
     * A job whose Caddie died is taken up by the next one from its recorded handle: the log goes on at the byte the
     * local copy ends, and it ends as it would have, with its score and its file.
     */
    @Test
    void aJobLeftByADeadCaddieIsTakenUpFromItsHandleAndEndsAsItWould() throws Exception {
        Path repo = repo("""
                echo first
                sleep 3
                echo "final_int8_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.22220000"
                echo weights > model.bin
                """);
        ExecutorSpec spec = spec(null, List.of(), List.of());
        RunSpec run = new RunSpec(repo, List.of("bash", "train.sh"), Map.of(), Duration.ofSeconds(120), tmp.resolve("runs/4/log.txt"), "slurm:campus",
                tmp.resolve("ws"), Map.of(), List.of("model.bin"), "run4");
        Files.createDirectories(tmp.resolve("runs/4"));
        // started without files to fetch, so that this JVM's own follow (which a dead Caddie would not have) only reads
        RunHandle first = new SlurmExecutor(spec).start(new RunSpec(repo, run.command(), Map.of(), run.timeout(), tmp.resolve("runs/first.txt"),
                "slurm:campus", tmp.resolve("ws"), Map.of(), List.of(), "run4"));
        String remote = first.remote();
        byte[] seen = new byte[6];
        assertThat(first.output().readNBytes(seen, 0, 6)).isEqualTo(6); // "first\n": what the dead Caddie had written
        Files.write(tmp.resolve("runs/4/log.txt"), seen);
        // the first Caddie is gone; a new executor knows the run only by its handle
        RunHandle taken = new SlurmExecutor(spec).adopt(run, remote, 6);
        RunOutcome o = new Runner(new SlurmExecutor(spec)).resume(run, taken, new Runner.Listener() {}, 1_000);
        assertThat(o.status()).as(o.errorText()).isEqualTo(RunStatus.OK);
        assertThat(o.summary().score().valBpb()).isEqualTo(1.2222);
        assertThat(Files.readString(tmp.resolve("runs/4/log.txt"))).startsWith("first\nfinal_int8_zlib_roundtrip_exact");
        assertThat(o.logSha256()).isEqualTo(Runner.sha256(tmp.resolve("runs/4/log.txt")));
        assertThat(tmp.resolve("runs/4/files/model.bin")).hasContent("weights");
        assertThatThrownBy(() -> new SlurmExecutor(spec).adopt(run, "{\"dir\": \"/nowhere/run9\", \"job\": \"1\"}", 0))
                .hasMessageContaining("no longer holds the run's log");
    }

    @Test
    void aFailingJobIsACrashWithItsExitCode() throws Exception {
        RunOutcome o = run(spec(null, List.of(), List.of()), repo("echo 'RuntimeError: boom'; exit 3\n"), 120, new ArrayList<>());
        assertThat(o.status()).isEqualTo(RunStatus.CRASHED);
        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(o.errorText()).contains("RuntimeError: boom");
    }

    @Test
    void caddiesTimeoutCancelsTheJobAndEveryProcessItStartedIncludingADoubleForkedOne() throws Exception {
        String marker = Long.toString(400_000 + System.nanoTime() % 500_000);
        RunOutcome o = run(spec(null, List.of(), List.of()), repo("echo started; (setsid sleep " + marker + " < /dev/null > /dev/null 2>&1 &); sleep " + marker + "\n"), 4, new ArrayList<>());
        assertThat(o.status()).isEqualTo(RunStatus.TIMED_OUT);
        for (int i = 0; i < 100 && RunnerTest.processesMatching("sleep " + marker) > 0; i++) Thread.sleep(100);
        assertThat(RunnerTest.processesMatching("sleep " + marker)).as("processes left after scancel").isZero();
    }

    @Test
    void slurmsOwnTimeLimitEndsTheRunAsTimedOutInSlurmsWords() throws Exception {
        // Slurm checks time limits about every 30 s: a one-minute limit ends the job within about 90 s.
        RunOutcome o = run(spec(null, List.of(), List.of("--time=0:01")), repo("echo started; sleep 600\n"), 300, new ArrayList<>());
        assertThat(o.status()).isEqualTo(RunStatus.TIMED_OUT);
        assertThat(o.errorText()).contains("at its time limit (sbatch --time)");
    }

    @Test
    void aJobCancelledBySomeoneElseIsKilledNotACrash() throws Exception {
        Path repo = repo("echo started; sleep 600\n");
        SlurmExecutor ex = new SlurmExecutor(spec(null, List.of(), List.of()));
        RunHandle h = ex.start(new RunSpec(repo, List.of("bash", "train.sh"), Map.of(), Duration.ofSeconds(120), tmp.resolve("o/log.txt"),
                "slurm:campus", tmp.resolve("ws"), Map.of(), List.of(), "orphan"));
        String job = h.remote().replaceAll(".*\"job\":\"(\\d+)\".*", "$1");
        new ProcessBuilder("scancel", job).start().waitFor();
        assertThat(h.waitFor(60_000)).isNotNull();
        assertThat(h.ending().status()).isEqualTo(RunStatus.KILLED);
        assertThat(h.ending().why()).contains("cancelled by someone else");
    }

    @Test
    void anOrphanIsCancelledFromItsRecordedHandle() throws Exception {
        Path repo = repo("echo started; sleep 600\n");
        RunHandle h = new SlurmExecutor(spec(null, List.of(), List.of())).start(new RunSpec(repo, List.of("bash", "train.sh"), Map.of(),
                Duration.ofSeconds(120), tmp.resolve("o/log.txt"), "slurm:campus", tmp.resolve("ws"), Map.of(), List.of(), "orphan"));
        String job = h.remote().replaceAll(".*\"job\":\"(\\d+)\".*", "$1");
        new SlurmExecutor(spec(null, List.of(), List.of())).stopOrphan(h.remote());
        for (int i = 0; i < 100 && !squeue(job).isEmpty(); i++) Thread.sleep(100);
        assertThat(squeue(job)).isEmpty();
    }

    private static String squeue(String job) throws Exception {
        Process p = new ProcessBuilder("squeue", "-h", "-j", job, "-o", "%T").start();
        p.waitFor();
        return new String(p.getInputStream().readAllBytes()).strip();
    }

    @Test
    void aPartitionTheClusterDoesNotHaveIsAProvisionFailureInSbatchsWordsAndCheckSaysSo() throws Exception {
        ExecutorSpec bad = spec(null, List.of(), List.of("--partition=h100"));
        RunOutcome o = run(bad, repo("echo never\n"), 60, new ArrayList<>());
        assertThat(o.status()).isEqualTo(RunStatus.PROVISION_FAILED);
        assertThat(o.errorText()).contains("invalid partition specified: h100").contains("sbatch_args in [executor.campus]");
        Files.createDirectories(tmp.resolve("shared-ws"));
        assertThat(new SlurmExecutor(bad).check()).singleElement().asString().contains("invalid partition specified: h100");
        assertThat(new SlurmExecutor(spec(null, List.of(), List.of("--partition=debug"))).check()).isEmpty();
    }

    @Test
    @Needs(Requirement.SSHD)
    void jobsAreSubmittedOnALoginNodeOverSsh(@TempDir Path sshDir) throws Exception {
        try (LoopbackSshd sshd = LoopbackSshd.start(sshDir.resolve("sshd"))) {
            // The login node's Slurm clients need SLURM_CONF (a real cluster's is in /etc); this one's comes along with the session.
            List<String> ssh = new ArrayList<>(sshd.sshOptions());
            ssh.addAll(List.of("-o", "SetEnv=SLURM_CONF=" + System.getenv().getOrDefault("SLURM_CONF", "/etc/slurm/slurm.conf")));
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            RunOutcome o = run(spec(LoopbackSshd.HOST, ssh, List.of()), repo("echo \"$GREETING over ssh\"\necho 'final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.5'\n"), 120, lines);
            assertThat(o.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.OK);
            assertThat(lines).contains("hello over ssh");
        }
    }
}
