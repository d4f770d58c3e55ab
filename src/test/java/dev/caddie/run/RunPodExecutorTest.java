package dev.caddie.run;

import dev.caddie.LoopbackSshd;
import dev.caddie.Needs;
import dev.caddie.Requirement;
import dev.caddie.task.ExecutorSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RunPod executor against RunPod's v2 API on loopback (RunPodStandIn), each pod's commands run over a real sshd:
 * a pod per run, terminated after it whatever happened, never-booting pods, refused keys, rate limits, orphans.
 */
@Needs(Requirement.SSHD)
class RunPodExecutorTest {
    private static final String KEY = "rpa_TESTKEY000000000000000000000000";
    private static LoopbackSshd sshd;
    private RunPodStandIn api;
    @TempDir Path tmp;

    @BeforeAll
    static void startSshd(@TempDir Path dir) throws Exception { sshd = LoopbackSshd.start(dir.resolve("sshd")); }

    @AfterAll
    static void stopSshd() { if (sshd != null) sshd.close(); }

    @BeforeEach
    void startApi() throws Exception { api = new RunPodStandIn(KEY, sshd.port); }

    @AfterEach
    void stopApi() throws Exception {
        api.close();
        new ProcessBuilder("pkill", "-f", "sleep " + 977 * 60).start().waitFor(); // the pods' own deadlines, started on this machine
    }

    private ExecutorSpec spec(List<String> setup) {
        return new ExecutorSpec("h100x8", "runpod", null, tmp.resolve("pod/caddie-runs").toString(), tmp.resolve("pod/parameter-golf").toString(),
                List.of("-i", sshd.dir().resolve("client_ed25519").toString(), "-o", "IdentitiesOnly=yes"), List.of(), false,
                new ExecutorSpec.Pod("RUNPOD_API_KEY", "NVIDIA H100 80GB HBM3", 8, "runpod/parameter-golf:latest", "SECURE", 100, setup, 977, api.url()));
    }

    private RunPodExecutor executor(ExecutorSpec spec, String key, Duration boot) {
        return new RunPodExecutor(spec, name -> name.equals("RUNPOD_API_KEY") ? key : null, Duration.ofMillis(50), boot);
    }

    private Path repo(String script) throws Exception { return CandidateRepo.commit(tmp.resolve("repo"), Map.of("train.sh", script)); }

    private RunSpec run(Path repo, int timeoutSeconds) {
        return new RunSpec(repo, List.of("bash", "train.sh"), Map.of(), Duration.ofSeconds(timeoutSeconds), tmp.resolve("runs/9/log.txt"),
                "runpod:h100x8", tmp.resolve("ws"), Map.of(), List.of("final_model.*"), "run9");
    }

    @Test
    void aRunRentsAPodRunsOnItOverSshAndTerminatesItAfter() throws Exception {
        Path repo = repo("echo \"data in $(ls $PWD/../../../parameter-golf)\"\necho weights > final_model.int8.ptz\n"
                + "echo 'final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.0611'\n");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        String[] remote = new String[1];
        RunOutcome o = new Runner(executor(spec(List.of("mkdir -p data && echo shard > data/shard.bin && echo downloaded")), KEY, Duration.ofSeconds(30)))
                .run(run(repo, 120), new Runner.Listener() {
                    @Override public void started(RunHandle h) { remote[0] = h.remote(); }
                    @Override public void line(String line, LiveProgress p) { lines.add(line); }
                });
        assertThat(o.status()).as(String.join("\n", lines) + o.errorText()).isEqualTo(RunStatus.OK);
        assertThat(o.summary().score().valBpb()).isEqualTo(1.0611);
        assertThat(lines).contains("data in data");
        // The documented create body: 8x H100 SXM on demand in the secure cloud, SSH on 22/tcp, named for the workspace.
        var body = api.created.get(0);
        assertThat(body.path("gpu").path("id").asText()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(body.path("gpu").path("count").asInt()).isEqualTo(8);
        assertThat(body.path("cloud").asText()).isEqualTo("SECURE");
        assertThat(body.path("ports").toString()).contains("22/tcp");
        assertThat(body.path("name").asText()).startsWith(RunPodExecutor.prefix(tmp.resolve("ws"))).endsWith("-run9");
        // The handle was known before the pod booted; the pod is gone after the run.
        assertThat(remote[0]).contains("\"pod\":\"" + api.terminated.get(0) + "\"");
        assertThat(api.pods).isEmpty();
        assertThat(tmp.resolve("runs/9/setup.log")).content().contains("$ mkdir -p data").contains("downloaded").contains("(exit 0)");
        assertThat(tmp.resolve("runs/9/files/final_model.int8.ptz")).hasContent("weights");
        assertThat(RunnerTest.processesMatching("sleep " + 977 * 60)).as("the pod's own deadline is set").isPositive();
    }

    @Test
    void aPodThatNeverBootsIsAProvisionFailureAndIsTerminated() throws Exception {
        api.neverBoot = true;
        RunOutcome o = new Runner(executor(spec(List.of()), KEY, Duration.ofMillis(600))).run(run(repo("echo never\n"), 60), new Runner.Listener() {});
        assertThat(o.status()).isEqualTo(RunStatus.PROVISION_FAILED);
        assertThat(o.errorText()).contains("did not boot within").contains("still PROVISIONING").contains("its time is charged");
        assertThat(o.durationMs()).as("provisioning is billed: the run lasted until the pod was given up").isGreaterThanOrEqualTo(600);
        assertThat(api.terminated).hasSize(1);
        assertThat(api.pods).isEmpty();
    }

    @Test
    void aRefusedKeyIsAuthAndNoCapacityIsAProvisionFailureEachInRunPodsWords() throws Exception {
        Path repo = repo("echo x\n");
        RunOutcome bad = new Runner(executor(spec(List.of()), "rpa_WRONG0000000000000000000000000", Duration.ofSeconds(30))).run(run(repo, 60), new Runner.Listener() {});
        assertThat(bad.status()).isEqualTo(RunStatus.AUTH);
        assertThat(bad.errorText()).contains("RunPod refused the API key: invalid bearer token").doesNotContain("WRONG");
        RunOutcome none = new Runner(executor(spec(List.of()), null, Duration.ofSeconds(30))).run(run(repo, 60), new Runner.Listener() {});
        assertThat(none.status()).isEqualTo(RunStatus.AUTH);
        assertThat(none.errorText()).contains("RUNPOD_API_KEY is not set");
        api.noCapacity = true;
        RunOutcome full = new Runner(executor(spec(List.of()), KEY, Duration.ofSeconds(30))).run(run(repo, 60), new Runner.Listener() {});
        assertThat(full.status()).isEqualTo(RunStatus.PROVISION_FAILED);
        assertThat(full.errorText()).contains("There are no longer any instances available");
        assertThat(full.status().infrastructure()).isTrue();
    }

    @Test
    void aRateLimitIsWaitedOutAfterItsRetryAfter() throws Exception {
        api.rateLimitNext.set(2);
        RunOutcome o = new Runner(executor(spec(List.of()), KEY, Duration.ofSeconds(30))).run(run(repo("echo 'final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.2'\n"), 120),
                new Runner.Listener() {});
        assertThat(o.status()).as(o.errorText()).isEqualTo(RunStatus.OK);
        assertThat(o.durationMs()).isGreaterThanOrEqualTo(2000);
    }

    @Test
    void aFailingSetupIsAProvisionFailureAndTheRunNeverStarts() throws Exception {
        RunOutcome o = new Runner(executor(spec(List.of("echo fetching; echo 'HTTP 403 from the mirror' >&2; exit 7")), KEY, Duration.ofSeconds(30)))
                .run(run(repo("echo never\n"), 60), new Runner.Listener() {});
        assertThat(o.status()).isEqualTo(RunStatus.PROVISION_FAILED);
        assertThat(o.errorText()).contains("failed on pod").contains("exit 7").contains("HTTP 403 from the mirror");
        assertThat(api.pods).isEmpty();
    }

    @Test
    void caddiesTimeoutStopsTheRunAndTerminatesThePod() throws Exception {
        String marker = Long.toString(600_000 + System.nanoTime() % 300_000);
        RunOutcome o = new Runner(executor(spec(List.of()), KEY, Duration.ofSeconds(30))).run(run(repo("echo started; sleep " + marker + "\n"), 6),
                new Runner.Listener() {});
        assertThat(o.status()).isEqualTo(RunStatus.TIMED_OUT);
        assertThat(api.pods).isEmpty();
        for (int i = 0; i < 50 && RunnerTest.processesMatching("sleep " + marker) > 0; i++) Thread.sleep(100);
        assertThat(RunnerTest.processesMatching("sleep " + marker)).isZero();
    }

    @Test
    void podsOfThisWorkspaceThatNoLiveRunOwnsAreReapedAndOthersAreLeftAlone() throws Exception {
        RunPodApi client = new RunPodApi(api.url(), KEY);
        String prefix = RunPodExecutor.prefix(tmp.resolve("ws"));
        RunPodApi.Pod orphan = client.create(prefix + "run1", spec(List.of()).pod(), Map.of());
        RunPodApi.Pod owned = client.create(prefix + "run2", spec(List.of()).pod(), Map.of());
        RunPodApi.Pod other = client.create("someone-elses-pod", spec(List.of()).pod(), Map.of());
        List<String> reaped = executor(spec(List.of()), KEY, Duration.ofSeconds(30)).reap(tmp.resolve("ws"), Set.of("{\"pod\":\"" + owned.id() + "\"}"));
        assertThat(reaped).singleElement().asString().startsWith(orphan.id());
        assertThat(api.terminated).containsExactly(orphan.id());
        assertThat(api.pods).containsOnlyKeys(owned.id(), other.id());
        executor(spec(List.of()), KEY, Duration.ofSeconds(30)).stopOrphan("{\"pod\":\"" + owned.id() + "\"}");
        assertThat(api.pods).containsOnlyKeys(other.id());
    }
}
