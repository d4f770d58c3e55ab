package dev.caddie.loop;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposal;
import dev.caddie.search.ProposalContext;
import dev.caddie.search.Proposer;
import dev.caddie.search.SearchProposer;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TournamentTest {
    @TempDir Path tmp;

    @Test
    void fourDeliberatelyRankedCandidatesGiveTheRightWinnerForLessThanFourFullRuns() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        TaskSpec task = TaskSpecReader.read(ws);
        new Git(ws).branchForce("caddie/t", new Git(ws).revParse("HEAD"));
        // learning rates from timid to bold: within 20 steps, the bolder the better
        var proposer = ExperimentLoopTest.scripted(
                Proposal.env("b: timid", Map.of("EMBED_LR", "0.002", "MATRIX_LR", "0.0008", "SCALAR_LR", "0.0008")),
                Proposal.env("d: bold", Map.of("WARMUP_STEPS", "0", "EMBED_LR", "0.03", "MATRIX_LR", "0.012")),
                Proposal.env("a: frozen", Map.of("EMBED_LR", "0.0001", "MATRIX_LR", "0.00004", "SCALAR_LR", "0.00004")),
                Proposal.env("c: default", Map.of()));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            Tournament.Result r = new Tournament(task, l, new Runner(new LocalExecutor()), proposer, new LoopListener() {})
                    .run("t", task.tier("test"), Tournament.rungs("ITERATIONS=5,10"), 4, 2.0, 1337);
            assertThat(r.spentSeconds()).isPositive();
            List<Experiment> all = l.experiments("t");
            Experiment winner = all.stream().filter(e -> e.candidate().id() == r.winner()).findFirst().orElseThrow();
            assertThat(winner.candidate().description()).isEqualTo("d: bold");
            assertThat(winner.verdict().verdict()).isEqualTo(Verdict.KEEP);
            assertThat(new Git(ws).revParse("caddie/t")).isEqualTo(winner.candidate().commit());
            assertThat(r.spentFullRunEquivalents()).isLessThan(4.0);
            assertThat(l.runs(winner.candidate().id())).extracting(RunRecord::tier)
                    .containsExactly("micro", "test@ITERATIONS=5", "test@ITERATIONS=10", "test");
            assertThat(all).filteredOn(e -> e.candidate().id() != r.winner())
                    .allSatisfy(e -> assertThat(e.verdict().reason()).startsWith("tournament: eliminated after rung"));
        }
    }

    @Test
    void checkpointsStopRunsOutsideTheBestHalfMidwayAndRecordTheComputeTheySaved() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        TaskSpec task = TaskSpecReader.read(ws);
        new Git(ws).branchForce("caddie/t", new Git(ws).revParse("HEAD"));
        // no shorter rungs: every candidate runs the tier's 20 steps, judged by its train_loss at step 10
        var proposer = ExperimentLoopTest.scripted(
                Proposal.env("d: bold", Map.of("WARMUP_STEPS", "0", "EMBED_LR", "0.03", "MATRIX_LR", "0.012")),
                Proposal.env("c: default", Map.of()),
                Proposal.env("a: frozen", Map.of("EMBED_LR", "0.0001", "MATRIX_LR", "0.00004", "SCALAR_LR", "0.00004")),
                Proposal.env("b: timid", Map.of("EMBED_LR", "0.002", "MATRIX_LR", "0.0008", "SCALAR_LR", "0.0008")));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            Tournament.Result r = new Tournament(task, l, new Runner(new LocalExecutor()), proposer, new LoopListener() {})
                    .run("t", task.tier("test"), new Tournament.Settings(List.of(), Map.of(), 4, 2.0, 0, false, List.of(0.5)), 1337);
            Map<String, Experiment> by = new java.util.HashMap<>();
            for (Experiment e : l.experiments("t")) by.put(e.candidate().description(), e);
            assertThat(by.get("d: bold").candidate().id()).isEqualTo(r.winner());
            assertThat(by.get("d: bold").verdict().verdict()).isEqualTo(Verdict.KEEP);
            assertThat(by.get("c: default").run().status()).isEqualTo("ok"); // two earlier runs are needed before anyone is judged
            for (String stopped : List.of("a: frozen", "b: timid")) {
                Experiment e = by.get(stopped);
                assertThat(e.run().status()).isEqualTo("aborted");
                assertThat(e.run().stopStep()).isNull();
                assertThat(e.run().savedMs()).isPositive();
                assertThat(e.verdict().verdict()).isEqualTo(Verdict.DISCARD);
                assertThat(e.verdict().reason()).startsWith("tournament: aborted early on rung test: at 50% of the budget its train_loss")
                        .contains("is not in the best 1/2 of the").contains("saved about");
            }
            // the timid run was ranked against three: the two finished runs and the frozen one, stopped at the same checkpoint
            assertThat(by.get("b: timid").verdict().reason()).contains("of the 4 runs there");
            assertThat(r.spentFullRunEquivalents()).isCloseTo(3.0, within(1e-9)); // two whole runs and two halves
            assertThat(new Workspace(ws).worktrees()).isEmptyDirectory();
        }
    }

    @Test
    void aLastRungResultIsKeptOnlyPastTheTiersSeedNoiseWhenThatIsKnown() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        TaskSpec task = TaskSpecReader.read(ws);
        Git git = new Git(ws);
        git.branchForce("caddie/t", git.revParse("HEAD"));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            // the branch's best so far, scored on the tier with three seeds: mean 9.0, sigma 3.0
            long best = l.addCandidate("t", git.revParse("HEAD"), git.revParse("HEAD"), "search", "earlier best", Map.of(), 0, 0, 0);
            long run = 0;
            for (double v : new double[]{6.0, 9.0, 12.0}) {
                run = l.startRun(best, "test", 1337, "local", null);
                l.finishRun(run, new Ledger.RunFinish("ok", 1000, 0, "sha", "final_int6_zlib_roundtrip_exact", v, v * 0.7, 100_000L, 48_000L,
                        900L, 20, 100L, null, 0.0));
            }
            l.addVerdict(best, run, Verdict.KEEP, "first result", null);
            var proposer = ExperimentLoopTest.scripted(Proposal.env("d: bold", Map.of("WARMUP_STEPS", "0", "EMBED_LR", "0.03", "MATRIX_LR", "0.012")),
                    Proposal.env("c: default", Map.of()));
            Tournament.Result r = new Tournament(task, l, new Runner(new LocalExecutor()), proposer, new LoopListener() {})
                    .run("t", task.tier("test"), Tournament.Settings.of(Tournament.rungs("ITERATIONS=10"), Map.of(), 2, 2.0, false), 1337);
            Experiment bold = l.experiments("t").stream().filter(e -> e.candidate().id() == r.winner()).findFirst().orElseThrow();
            // a 20-step run of a byte-level model scores under 9 bits, but not better by the 6.0 that 2 sigma asks for
            assertThat(bold.run().valBpb()).isLessThan(9.0);
            assertThat(bold.verdict().verdict()).isEqualTo(Verdict.DISCARD);
            assertThat(bold.verdict().reason()).startsWith("tournament: ").contains("beats the best 9.000000")
                    .contains("needed more than 6.000000 (2.0 sigma, sigma 3.000000 from 3 seeds of 1 commit(s)) on test");
            assertThat(git.revParse("caddie/t")).isEqualTo(git.revParse("HEAD")); // the branch did not move
            assertThat(l.promotions()).isEmpty();
        }
    }

    @Test
    void anOversizedProposalStopsAtTheMicroTierAndTheSearchHearsItFailed() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        TaskSpec task = TaskSpecReader.read(ws);
        new Git(ws).branchForce("caddie/t", new Git(ws).revParse("HEAD"));
        List<ProposalContext> heard = new ArrayList<>();
        Deque<Proposal> queue = new ArrayDeque<>(List.of(
                Proposal.env("wide", Map.of("MODEL_DIM", "128", "QUANT_BITS", "8")),
                Proposal.env("default", Map.of()),
                Proposal.env("bold", Map.of("WARMUP_STEPS", "0", "EMBED_LR", "0.03", "MATRIX_LR", "0.012"))));
        Proposer recording = new Proposer() {
            @Override public String name() { return "scripted"; }
            @Override public Proposal propose(ProposalContext c) { heard.add(c); return queue.removeFirst(); }
        };
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            Tournament.Result r = new Tournament(task, l, new Runner(new LocalExecutor()), recording, new LoopListener() {})
                    .run("t", task.tier("test"), Tournament.Settings.of(Tournament.rungs("ITERATIONS=5,10"), Map.of(), 3, 2.0, true), 1337);
            Experiment wide = l.experiments("t").get(0);
            assertThat(l.runs(wide.candidate().id())).extracting(RunRecord::tier).containsExactly("micro");
            assertThat(wide.verdict().verdict()).isEqualTo(Verdict.REJECTED);
            assertThat(wide.verdict().reason()).startsWith("micro: artifact");
            // the second proposal is asked with the first as a failed trial
            assertThat(heard.get(1).history()).singleElement().satisfies(t -> assertThat(t.failed()).isTrue());
            assertThat(r.lines()).anyMatch(line -> line.equals("candidate " + wide.candidate().id() + ": stopped by the micro tier"));
            // every run of the others went through the micro tier first
            for (Experiment e : l.experiments("t"))
                assertThat(l.runs(e.candidate().id()).get(0).tier()).isEqualTo("micro");
        }
    }

    @Test
    void withoutAFixedKTheSearchFeedsTheTournamentUntilTheBudgetIsSpent() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        TaskSpec task = TaskSpecReader.read(ws);
        new Git(ws).branchForce("caddie/t", new Git(ws).revParse("HEAD"));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            Tournament.Result r = new Tournament(task, l, new Runner(new LocalExecutor()), new SearchProposer(7), new LoopListener() {})
                    .run("t", task.tier("test"), new Tournament.Settings(Tournament.rungs("ITERATIONS=5,10"), Map.of(), 0, 2.0, 20, false, List.of()), 1337);
            List<RunRecord> runs = new ArrayList<>();
            for (Experiment e : l.experiments("t")) runs.addAll(l.runs(e.candidate().id()));
            double recorded = runs.stream().mapToLong(RunRecord::durationMs).sum() / 1000.0;
            long longest = runs.stream().mapToLong(RunRecord::durationMs).max().orElseThrow();
            assertThat(r.spentSeconds()).isCloseTo(recorded, within(0.01));
            // no run starts once 20 s are spent: the last one may end past it, by less than one run
            assertThat(r.spentSeconds()).isGreaterThanOrEqualTo(20).isLessThan(20 + longest / 1000.0);
            // more than one candidate came from the search (how many fit in 20 s depends on the machine and its load)
            assertThat(l.experiments("t")).hasSizeGreaterThanOrEqualTo(2).allSatisfy(e -> assertThat(e.verdict()).isNotNull());
            // promotions happened (how far up depends on how many runs this machine fits in 20 s)
            assertThat(runs).extracting(RunRecord::tier).contains("test@ITERATIONS=10");
            assertThat(r.lines()).last().isEqualTo("budget of 20 s of runs spent");
        }
    }

    @Test
    void aStoppedTournamentRecordsTheLiveRunAsInterruptedAndJudgesTheRest() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        TaskSpec task = TaskSpecReader.read(ws);
        new Git(ws).branchForce("caddie/t", new Git(ws).revParse("HEAD"));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            AtomicInteger starts = new AtomicInteger();
            Tournament[] t = new Tournament[1];
            Thread[] stopper = new Thread[1];
            t[0] = new Tournament(task, l, new Runner(new LocalExecutor()), new SearchProposer(7), new LoopListener() {
                @Override public void runStarted(long runId, String tier, long timeoutSeconds, Double trainSeconds) { starts.incrementAndGet(); }

                @Override public void progress(dev.caddie.run.LiveProgress p, long elapsedMs) {
                    // Ctrl-C arrives from another thread (the shutdown hook) while the fourth run is live
                    if (starts.get() == 4 && stopper[0] == null) (stopper[0] = new Thread(() -> t[0].stop(Duration.ofSeconds(30)))).start();
                }
            });
            t[0].run("t", task.tier("test"), new Tournament.Settings(Tournament.rungs("ITERATIONS=5,10"), Map.of(), 0, 2.0, 0, false, List.of()), 1337);
            stopper[0].join();
            List<Experiment> all = l.experiments("t");
            assertThat(starts.get()).isEqualTo(4);
            assertThat(all).allSatisfy(e -> assertThat(e.verdict()).isNotNull());
            assertThat(all).filteredOn(e -> e.verdict().verdict().equals(Verdict.INTERRUPTED)).singleElement()
                    .satisfies(e -> assertThat(e.run().status()).isEqualTo("interrupted"));
            assertThat(new Workspace(ws).worktrees()).isEmptyDirectory();
        }
    }

    @Test
    void theSearchLearnsFromTheBiggestRungWithFiveResultsElseFromTheFirst() throws Exception {
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            List<String> rungs = List.of("local@MAX_WALLCLOCK_SECONDS=7", "local@MAX_WALLCLOCK_SECONDS=20", "local");
            // seven candidates on the first rung; four of them also on the second, two on the last
            for (int i = 0; i < 7; i++) {
                long c = l.addCandidate("t", "c" + i, "p", "search", "cand " + i, Map.of("MATRIX_LR", "0.00" + (i + 1)), 0, 0, 0);
                finish(l, c, rungs.get(0), 3.5 + i / 100.0, 90_000L);
                if (i < 4) finish(l, c, rungs.get(1), 3.2 + i / 100.0, 90_000L);
                if (i < 2) finish(l, c, rungs.get(2), 2.9 + i / 100.0, 90_000L);
            }
            long over = l.addCandidate("t", "c7", "p", "search", "oversized", Map.of("MATRIX_LR", "0.009"), 0, 0, 0);
            finish(l, over, "micro", 6.0, 200_000L);
            l.addVerdict(over, null, Verdict.REJECTED, "micro: artifact 200000 bytes over the limit", null);
            // fewer than five results above the first rung: the first rung's seven, plus the micro failure
            assertThat(Tournament.history(l, "t", rungs, 160_000, Map.of(), new RunCurves())).extracting(dev.caddie.search.Trial::value)
                    .containsExactly(3.5, 3.5 + 1 / 100.0, 3.5 + 2 / 100.0, 3.5 + 3 / 100.0, 3.5 + 4 / 100.0, 3.5 + 5 / 100.0, 3.5 + 6 / 100.0, null);
            long fifth = l.addCandidate("t", "c8", "p", "search", "cand 8", Map.of("MATRIX_LR", "0.0015"), 0, 0, 0);
            finish(l, fifth, rungs.get(0), 3.45, 90_000L);
            finish(l, fifth, rungs.get(1), 3.15, 170_000L); // oversized at 20 s: a failure on that rung
            // five results on the second rung now: it is the model; those that never reached it are left out
            assertThat(Tournament.history(l, "t", rungs, 160_000, Map.of(), new RunCurves())).extracting(dev.caddie.search.Trial::value)
                    .containsExactly(3.2, 3.2 + 1 / 100.0, 3.2 + 2 / 100.0, 3.2 + 3 / 100.0, null, null);
        }
    }

    @Test
    void aRunStoppedAtACheckpointReachesTheSearchWithHowFarItGotAndItsTrainingLoss() throws Exception {
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            List<String> rungs = List.of("local");
            long done = l.addCandidate("t", "c0", "p", "search", "finished", Map.of("MATRIX_LR", "0.002"), 0, 0, 0);
            finish(l, done, "local", 3.2, 90_000L);
            // stopped at 30% of a 10 s cap: its log has step lines up to 3 s of training
            long cut = l.addCandidate("t", "c1", "p", "search", "stopped", Map.of("MATRIX_LR", "0.02"), 0, 0, 0);
            java.nio.file.Path log = tmp.resolve("stopped.txt");
            List<String> lines = new ArrayList<>();
            for (int step = 1; step <= 30; step++)
                lines.add(String.format(java.util.Locale.ROOT, "step:%d/20000 train_loss:%.4f train_time:%dms step_avg:100.00ms", step, 5.0 - step / 10.0, step * 100));
            java.nio.file.Files.write(log, lines);
            long run = l.startRun(cut, "local", 1337, "local", log.toString());
            l.finishRun(run, new Ledger.RunFinish("aborted", 3000, null, "sha", null, null, null, null, null, 3000L, 30, 100L, null, 0.0));
            List<dev.caddie.search.Trial> h = Tournament.history(l, "t", rungs, 160_000, Map.of("local", 10_000.0), new RunCurves());
            assertThat(h).hasSize(2);
            assertThat(h.get(0).stopped()).isNull();
            assertThat(h.get(1).value()).isNull();
            assertThat(h.get(1).stopped().reached()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
            // the mean of the losses logged in the last tenth of the budget before it stopped (about steps 20..30)
            assertThat(h.get(1).stopped().trainLoss()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(0.06));
        }
    }

    private static void finish(Ledger l, long cid, String tier, double bpb, long bytes) {
        long run = l.startRun(cid, tier, 1337, "local", null);
        l.finishRun(run, new Ledger.RunFinish("ok", 1000, 0, "sha", "final_int6_zlib_roundtrip_exact", bpb, bpb * 0.7, bytes, 48_000L,
                900L, 100, 100L, null, 0.0));
    }

    @Test
    void badRungSpecsAreRefusedWithWhatIsAccepted() {
        assertThatThrownBy(() -> Tournament.rungs("50,150")).hasMessageContaining("must look like ITERATIONS=50,150");
        assertThatThrownBy(() -> Tournament.rungs("ITERATIONS=50,lots")).hasMessageContaining("'lots' is not a number");
        assertThatThrownBy(() -> Tournament.rungs("ITERATIONS=150,50")).hasMessageContaining("budgets must grow from rung to rung; '50' does not");
        assertThatThrownBy(() -> Tournament.Settings.of(List.of(), Map.of(), 1, 2.0, true)).hasMessageContaining("--candidates must be at least 2");
        assertThatThrownBy(() -> Tournament.Settings.of(List.of(), Map.of(), 4, 1.0, true)).hasMessageContaining("--eta must be above 1");
        assertThatThrownBy(() -> new Tournament.Settings(List.of(), Map.of(), 4, 2.0, 0, true, List.of(0.75, 0.5)))
                .hasMessageContaining("--checkpoints must be growing fractions of the budget between 0 and 1");
    }
}
