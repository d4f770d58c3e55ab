package dev.caddie.swarm;

import dev.caddie.Needs;
import dev.caddie.PostgresServer;
import dev.caddie.Requirement;
import dev.caddie.TestWorkspace;
import dev.caddie.cli.CaddieProcessTestSupport;
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.LedgerUrl;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.SwarmWorker;
import dev.caddie.run.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A swarm as users run it: real `caddie` processes, each in its own clone, sharing one PostgreSQL ledger (a real
 * server) and one bare git repository as the remote.
 */
@Needs(Requirement.POSTGRES)
class SwarmTest {
    @TempDir Path tmp;

    /** A run that sleeps SLEEP seconds and scores a checksum of the candidate's settings: fast and deterministic. */
    private static final String FAST_TIER = """

            [tiers.fast]
            executor = "local"
            command = ["bash", "-c", "sleep ${SLEEP:-0}; s=$(printf '%s' \\"$MATRIX_LR $EMBED_LR $NUM_LAYERS $TRAIN_SEQ_LEN $BETA2\\" | cksum | cut -c1-4); echo 'Total submission size int6+zlib: 120000 bytes'; echo \\"final_int6_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.$s\\""]
            timeout_seconds = 120
            cost_per_hour = 0.0
            """;

    private String url;
    private Path remote;

    /** The task repository, its bare remote, and `workers` clones of it whose caddie.toml points at the shared ledger. */
    private List<Path> clones(int workers, String extraToml) throws Exception {
        url = PostgresServer.get().newDatabase() + "?user=postgres";
        Path ws = TestWorkspace.create(tmp.resolve("origin"));
        String toml = Files.readString(ws.resolve("caddie.toml")).replace("keep_rule = \"noise\"", "keep_rule = \"margin\"")
                .replace("micro_first = true", "micro_first = false").replace("tier = \"local\"", "tier = \"fast\"");
        remote = tmp.resolve("remote.git");
        Git.run(tmp, "clone", "-q", "--bare", ws.toString(), remote.toString());
        toml += FAST_TIER + extraToml + "\n[ledger]\nurl = \"" + url + "\"\n\n[swarm]\nremote = \"" + remote + "\"\n";
        Files.writeString(ws.resolve("caddie.toml"), toml);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Path c = tmp.resolve("w" + i);
            Process p = new ProcessBuilder("cp", "-a", ws.toString(), c.toString()).inheritIO().start();
            assertThat(p.waitFor()).isZero();
            out.add(c);
        }
        return out;
    }

    private Ledger ledger() throws Exception { return Ledger.open(new LedgerUrl(url, null, null)); }

    private static String read(Path f) throws Exception { return Files.exists(f) ? Files.readString(f) : ""; }

    @Test
    void threeWorkersShareOneLedgerOneBestAndPublishEveryCommit() throws Exception {
        List<Path> ws = clones(3, "");
        List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
            workers.add(CaddieProcessTestSupport.caddie(ws.get(i), tmp.resolve("out" + i), "swarm", "join", "--name", "w" + i, "--experiments", "4", "--tag", "sw"));
        for (int i = 0; i < 3; i++) {
            assertThat(workers.get(i).waitFor(240, TimeUnit.SECONDS)).as("worker w%d finished", i).isTrue();
            assertThat(workers.get(i).exitValue()).as(read(tmp.resolve("out" + i))).isZero();
        }
        try (Ledger l = ledger()) {
            List<Experiment> all = l.experiments("sw");
            assertThat(all).hasSize(12);
            assertThat(all.stream().filter(e -> e.candidate().proposer().equals("baseline"))).hasSize(1); // one baseline for the swarm
            Set<String> seen = new HashSet<>();
            for (Experiment e : all) {
                Candidate c = e.candidate();
                assertThat(e.verdict()).as("candidate %d has a verdict", c.id()).isNotNull();
                if (e.run() != null) assertThat(seen.add(c.parent() + " " + c.env())).as("candidate %d ran once", c.id()).isTrue();
                assertThat(l.candidateWorker(c.id())).isIn("w0", "w1", "w2");
                // every candidate's commit is on the remote under its own ref
                assertThat(Git.run(remote, "rev-parse", SwarmWorker.candidateRef(c.id())).strip()).isEqualTo(c.commit());
                for (RunRecord r : l.runs(c.id())) assertThat(l.runWorker(r.id())).isEqualTo(l.candidateWorker(c.id()));
            }
            // the remote's branch is the ledger's one best, moved only by keeps
            Experiment best = l.best("sw", true).orElseThrow();
            assertThat(Git.run(remote, "rev-parse", "caddie/sw").strip()).isEqualTo(best.candidate().commit());
            assertThat(l.workers()).extracting(Ledger.Worker::state).containsOnly("stopped");
        }
        String status = runCli(ws.get(0), "swarm", "status");
        assertThat(status).contains("workers (0 alive of 3)").contains("leaderboard, tag sw (12 candidates").contains("w1");
        verifyFromAnotherMachine(ws);
    }

    /** `caddie verify` in one clone reruns a run another worker recorded: its commit comes from the remote. */
    private void verifyFromAnotherMachine(List<Path> ws) throws Exception {
        long runId;
        try (Ledger l = ledger()) {
            runId = l.experiments("sw").stream().filter(e -> e.run() != null && e.run().status().equals("ok") && "w0".equals(l.runWorker(e.run().id()))
                    && !e.candidate().proposer().equals("baseline")).findFirst().orElseThrow().run().id();
        }
        Path other = ws.get(2);
        String ok = runCli(other, "verify", Long.toString(runId));
        assertThat(ok).contains("by worker w0").contains("consistent: the rerun reproduces the score exactly");

        // with the tier's seed noise known, a rerun that lands far off is inconsistent (exit 1)
        try (Ledger l = ledger()) {
            long cid = l.run(runId).orElseThrow().candidateId();
            for (double x : new double[]{1.50, 1.51}) {
                long r = l.startRun(cid, "fast", 7, "local", null);
                l.finishRun(r, new Ledger.RunFinish("ok", 10, 0, null, "val_bpb", x, 2.0, null, null, null, null, null, null, null));
            }
        }
        Path t = other.resolve("caddie.toml");
        Files.writeString(t, Files.readString(t).replace("val_bpb:1.$s", "val_bpb:2.$s"));
        Path out = tmp.resolve("verify.out");
        Process p = CaddieProcessTestSupport.caddie(other, out, "verify", Long.toString(runId));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(read(out)).isEqualTo(1);
        assertThat(read(out)).contains("INCONSISTENT: the rerun differs by +1.0");

        // a log altered after the fact is refused before anything runs (exit 2)
        Path log;
        try (Ledger l = ledger()) { log = Path.of(l.run(runId).orElseThrow().logPath()); }
        Files.writeString(log, Files.readString(log).replace("val_bpb:1.", "val_bpb:0."));
        p = CaddieProcessTestSupport.caddie(ws.get(0), out, "verify", Long.toString(runId));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(read(out)).contains("no longer matches its recorded SHA-256");
    }

    @Test
    void aWorkerKilledMidRunLosesNothing_itsCandidateIsRequeuedAndRunByAnother() throws Exception {
        List<Path> ws = clones(2, "");
        // the first clone's runs hang, so it is surely mid-run when killed
        Path slow = ws.get(0).resolve("caddie.toml");
        Files.writeString(slow, Files.readString(slow).replace("[tiers.fast]\nexecutor = \"local\"", "[tiers.fast]\nexecutor = \"local\"\nenv = { SLEEP = \"600\" }"));
        Process a = CaddieProcessTestSupport.caddie(ws.get(0), tmp.resolve("a.out"), "swarm", "join", "--name", "a", "--experiments", "3", "--tag", "k");
        RunRecord running = awaitRunning(a, tmp.resolve("a.out"), true);
        a.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        a.destroyForcibly(); // kill -9: no chance to record anything
        a.waitFor(30, TimeUnit.SECONDS);

        Process b = CaddieProcessTestSupport.caddie(ws.get(1), tmp.resolve("b.out"), "swarm", "join", "--name", "b", "--experiments", "2", "--tag", "k");
        assertThat(b.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(b.exitValue()).as(read(tmp.resolve("b.out"))).isZero();
        try (Ledger l = ledger()) {
            List<RunRecord> runs = l.runs(running.candidateId());
            assertThat(runs).extracting(RunRecord::status).containsExactly("interrupted", "ok");
            assertThat(runs.get(0).error()).contains("worker a stopped heartbeating");
            assertThat(l.runWorker(runs.get(1).id())).isEqualTo("b");
            assertThat(l.verdicts(running.candidateId())).isNotEmpty().noneMatch(v -> v.verdict().equals(Verdict.INTERRUPTED));
            assertThat(l.queue()).isEmpty();
            assertThat(read(tmp.resolve("b.out"))).contains("taken from the queue");
        }
    }

    @Test
    void aCandidateProposedOnABestThatMovedWhileItRanIsJudgedAgainstTheNewOne() throws Exception {
        List<Path> ws = clones(2, "");
        for (Path w : ws) { // only the search's candidates sleep (the baseline sets no MATRIX_LR)
            Path t = w.resolve("caddie.toml");
            Files.writeString(t, Files.readString(t).replace("sleep ${SLEEP:-0};", "case x$MATRIX_LR in x) ;; *) sleep ${SLEEP:-0};; esac;"));
        }
        Path slow = ws.get(0).resolve("caddie.toml");
        Files.writeString(slow, Files.readString(slow).replace("[tiers.fast]\nexecutor = \"local\"", "[tiers.fast]\nexecutor = \"local\"\nenv = { SLEEP = \"12\" }"));
        Process a = CaddieProcessTestSupport.caddie(ws.get(0), tmp.resolve("a.out"), "swarm", "join", "--name", "a", "--experiments", "2", "--tag", "m");
        RunRecord running = awaitRunning(a, tmp.resolve("a.out"), false);
        String b = runCli(ws.get(1), "swarm", "join", "--name", "b", "--experiments", "6", "--tag", "m");
        assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
        try (Ledger l = ledger()) {
            long keptByB = l.experiments("m").stream().filter(e -> "b".equals(l.candidateWorker(e.candidate().id())) && e.verdict().verdict().equals(Verdict.KEEP))
                    .mapToLong(e -> e.candidate().id()).max().orElseThrow(() -> new AssertionError("b kept nothing:\n" + b));
            var v = l.verdicts(running.candidateId()).get(0);
            assertThat(v.reason()).as(read(tmp.resolve("a.out"))).contains("and the best moved to candidate " + keptByB);
            assertThat(v.reason()).containsAnyOf("judged against that one", "kept as its sibling");
            assertThat(Git.run(remote, "rev-parse", "caddie/m").strip()).isEqualTo(l.best("m", true).orElseThrow().candidate().commit());
        }
    }

    @Test
    void theSameChangeMadeByTwoWorkersOnOneParentRunsOnce() throws Exception {
        // an agent that always makes the same edit, and runs that sleep only for that edit (on the first clone)
        Path script = Files.writeString(Files.createDirectories(tmp.resolve("bin")).resolve("same-agent.sh"), """
                cat >/dev/null
                sed -i 's/real("MATRIX_LR", [0-9.]*/real("MATRIX_LR", 0.0071/' train.java
                mkdir -p .caddie
                echo '{"hypothesis": "a higher matrix learning rate", "predicted_delta": -0.01}' > .caddie/hypothesis.json
                """);
        String agent = "\n[agent.same]\nkind = \"generic\"\ncommand = [\"bash\", \"" + script + "\"]\ntimeout_seconds = 60\n";
        List<Path> ws = clones(2, agent);
        for (Path w : ws) {
            Path t = w.resolve("caddie.toml");
            Files.writeString(t, Files.readString(t).replace("sleep ${SLEEP:-0};", "if grep -q 0.0071 train.java; then sleep ${SLEEP:-0}; fi;"));
        }
        Path slow = ws.get(0).resolve("caddie.toml");
        Files.writeString(slow, Files.readString(slow).replace("[tiers.fast]\nexecutor = \"local\"", "[tiers.fast]\nexecutor = \"local\"\nenv = { SLEEP = \"600\" }"));
        Process a = CaddieProcessTestSupport.caddie(ws.get(0), tmp.resolve("a.out"), "swarm", "join", "--name", "a", "--experiments", "2", "--tag", "d",
                "--proposer", "agent:same", "--unsandboxed");
        try {
            RunRecord running = awaitRunning(a, tmp.resolve("a.out"), false);
            String b = runCli(ws.get(1), "swarm", "join", "--name", "b", "--experiments", "1", "--tag", "d", "--proposer", "agent:same", "--unsandboxed");
            try (Ledger l = ledger()) {
                Experiment mine = l.experiments("d").stream().filter(e -> "b".equals(l.candidateWorker(e.candidate().id()))).findFirst().orElseThrow();
                assertThat(mine.verdict().verdict()).as(b).isEqualTo(Verdict.REJECTED);
                assertThat(mine.verdict().reason()).isEqualTo("the same change as candidate " + running.candidateId() + " (worker a) on the same parent: a swarm runs a change once");
                assertThat(l.runs(mine.candidate().id())).isEmpty();
            }
        } finally {
            a.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            a.destroyForcibly();
        }
    }

    @Test
    void fourPromotersAgainstABudgetForTwoOfficialRunsMakeExactlyTwo() throws Exception {
        // a run may cost $6 (6 s at $3600/h) and really costs about $5: $12 holds two, and what two spend leaves less than a third needs
        List<Path> ws = clones(4, """

                [tiers.paid]
                executor = "local"
                command = ["bash", "-c", "sleep 5; echo 'Total submission size int6+zlib: 120000 bytes'; echo \\"final_int6_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:$BPB\\""]
                timeout_seconds = 6
                cost_per_hour = 3600.0
                """);
        for (Path w : ws) {
            Path t = w.resolve("caddie.toml");
            Files.writeString(t, Files.readString(t).replace("dollars = 0.0", "dollars = 12.0").replace("promote_tier = \"official\"", "promote_tier = \"paid\"")
                    .replace("\nseeds = 3", "\nseeds = 1"));
        }
        String head = new Git(ws.get(0)).revParse("HEAD");
        try (Ledger l = ledger()) {
            l.setMeta("tag", "p");
            for (int i = 0; i < 6; i++) {
                long cid = l.addCandidate("p", head, head, "scripted", "bpb " + i, Map.of("BPB", "1." + (50 - i)), 0, 0, 0);
                l.enqueuePromotion(cid, "paid", "test");
            }
        }
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) ps.add(CaddieProcessTestSupport.caddie(ws.get(i), tmp.resolve("p" + i), "promote", "--max", "6", "--tag", "p"));
        for (Process p : ps) assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        try (Ledger l = ledger()) {
            List<RunRecord> paid = new ArrayList<>();
            for (Experiment e : l.experiments("p")) for (RunRecord r : l.runs(e.candidate().id())) if (r.tier().equals("paid")) paid.add(r);
            StringBuilder outs = new StringBuilder();
            for (int i = 0; i < 4; i++) outs.append(read(tmp.resolve("p" + i)));
            assertThat(paid).as(outs.toString()).hasSize(2);
            assertThat(l.committedUsd()).isLessThanOrEqualTo(12.0);
            assertThat(l.promotions()).filteredOn(p -> p.state().equals("done")).hasSize(2);
            assertThat(outs.toString()).contains("budget: $");
        }
    }

    @Test
    void aWorkerSilentPastTheClaimTimeoutOnAnotherMachineHasItsRunRequeued() throws Exception {
        url = PostgresServer.get().newDatabase() + "?user=postgres";
        try (Ledger l = ledger()) {
            long cid = l.addCandidate("t", "a".repeat(40), "b".repeat(40), "search", "x", Map.of("LR", "1"), 0, 0, 0);
            l.joinSwarm("far", "search", "fast", 60_000);
            long run = l.startRun(cid, "fast", 1, "local", "log");
            l.runProcess(run, 999_999, "t0");
        }
        try (Ledger other = ledger(); var c = java.sql.DriverManager.getConnection(url); var s = c.createStatement()) {
            other.joinTimeout(60_000);
            s.execute("UPDATE workers SET host='gpu-box-7', heartbeat_at='" + java.time.Instant.now().minusSeconds(30) + "'");
            assertThat(other.recoverInterrupted()).isEmpty(); // 30 s of silence is within the timeout: left alone
            s.execute("UPDATE workers SET heartbeat_at='" + java.time.Instant.now().minusSeconds(120) + "'");
            assertThat(other.recoverInterrupted()).hasSize(1);
            RunRecord r = other.runs(1).get(0);
            assertThat(r.status()).isEqualTo("interrupted");
            assertThat(r.error()).contains("worker far stopped heartbeating").contains("gpu-box-7, which this Caddie cannot reach");
            assertThat(other.queue()).singleElement().satisfies(q -> assertThat(q.reason()).startsWith("requeued: worker far"));
            assertThat(other.claimQueued("t")).isPresent();
        }
    }

    @Test
    void aSecondWorkerWithALiveWorkersNameIsRefused_andASwarmNeedsASharedLedger() throws Exception {
        List<Path> ws = clones(1, "");
        try (Ledger l = ledger()) { l.joinSwarm("w0", "search", "fast", 60_000); } // alive: this JVM's pid on this host
        String out = runCli(ws.get(0), "swarm", "join", "--name", "w0", "--experiments", "1");
        assertThat(out).contains("worker w0 is already running on");
        // the feed: notes across machines, listed oldest first and shown by status
        assertThat(runCli(ws.get(0), "swarm", "feed", "post", "--from", "alice", "trying", "int5", "on", "the", "MLP")).contains("posted #1");
        assertThat(runCli(ws.get(0), "swarm", "feed", "post", "--from", "w0", "int5 diverges at lr 0.02")).contains("posted #2");
        String feed = runCli(ws.get(0), "swarm", "feed", "list");
        assertThat(feed.lines().toList()).hasSize(2);
        assertThat(feed).contains("alice: trying int5 on the MLP").contains("w0: int5 diverges at lr 0.02");
        assertThat(runCli(ws.get(0), "swarm", "feed", "list", "--since", "1")).doesNotContain("alice");
        assertThat(runCli(ws.get(0), "swarm", "feed", "post", "--from", "bob", " ")).contains("the note is empty");
        assertThat(runCli(ws.get(0), "swarm", "status")).contains("workers (1 alive of 1)").contains("feed (2)").contains("w0: int5 diverges");
        Path t = ws.get(0).resolve("caddie.toml");
        Files.writeString(t, Files.readString(t).replaceAll("(?s)\\n\\[ledger\\]\\nurl = \"[^\"]*\"\\n", "\n"));
        assertThat(runCli(ws.get(0), "swarm", "join", "--name", "w9", "--experiments", "1")).contains("a swarm shares one ledger");
    }

    /** Waits until the worker has a run going whose candidate is not the baseline (or any run, when any is true); fails with its output. */
    private RunRecord awaitRunning(Process worker, Path out, boolean any) throws Exception {
        long deadline = System.currentTimeMillis() + 150_000;
        while (System.currentTimeMillis() < deadline && worker.isAlive()) {
            Thread.sleep(300);
            try (Ledger l = ledger()) {
                var r = l.runningRuns().stream().filter(x -> x.pid() != null && (any || !l.candidate(x.candidateId()).orElseThrow().proposer().equals("baseline")))
                        .findFirst();
                if (r.isPresent()) return r.get();
            } catch (Exception notYet) {
                // the worker is still writing the ledger's schema
            }
        }
        throw new AssertionError("no run started:\n" + read(out));
    }

    private String runCli(Path ws, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "cli", ".out");
        Process p = CaddieProcessTestSupport.caddie(ws, out, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return Files.readString(out);
    }
}
