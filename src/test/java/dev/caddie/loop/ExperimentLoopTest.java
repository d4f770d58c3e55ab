package dev.caddie.loop;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.GateRecord;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.LedgerExport;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposal;
import dev.caddie.search.Proposer;
import dev.caddie.search.SearchProposer;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real loop on a real Tiny Golf workspace, with tiny settings. */
class ExperimentLoopTest {
    @TempDir Path tmp;

    /** Proposes the given proposals in order. */
    static Proposer scripted(Proposal... proposals) {
        Deque<Proposal> queue = new ArrayDeque<>(List.of(proposals));
        return new Proposer() {
            @Override public String name() { return "scripted"; }
            @Override public Proposal propose(dev.caddie.search.ProposalContext c) { return queue.removeFirst(); }
        };
    }

    static Proposal edit(String description, String file, String from, String to) {
        return new Proposal(description, Map.of(), wt -> {
            Path p = wt.resolve(file);
            String s = Files.readString(p);
            if (!s.contains(from)) throw new AssertionError(from + " not in " + file);
            Files.writeString(p, s.replace(from, to));
        });
    }

    private List<Experiment> loop(Path ws, Proposer proposer, int experiments, String tier) throws Exception {
        TaskSpec task = TaskSpecReader.read(ws);
        try (Ledger ledger = Ledger.open(new Workspace(ws).ledgerFile())) {
            return new ExperimentLoop(task, ledger, new Runner(new LocalExecutor()), proposer, new LoopListener() {})
                    .run(new LoopOptions("t", experiments, null, tier, 1337));
        }
    }

    @Test
    void theBaselineComesFirstThenBetterCandidatesAdvanceTheBranch() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, scripted(Proposal.env("faster learning rates",
                Map.of("WARMUP_STEPS", "0", "EMBED_LR", "0.03", "MATRIX_LR", "0.012"))), 2, "test");
        assertThat(all).hasSize(2);
        assertThat(all.get(0).candidate().proposer()).isEqualTo("baseline");
        assertThat(all.get(0).verdict().verdict()).isEqualTo(Verdict.KEEP);
        assertThat(all.get(1).run().valBpb()).isLessThan(all.get(0).run().valBpb());
        assertThat(all.get(1).verdict().verdict()).isEqualTo(Verdict.KEEP);
        assertThat(all.get(1).verdict().reason()).contains("sigma", "from 3 seeds");
        assertThat(new Git(ws).revParse("caddie/t")).isEqualTo(all.get(1).candidate().commit());
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            // the baseline measured the test tier's seed noise: micro once, then three seeds
            assertThat(l.runs(all.get(0).candidate().id())).extracting(r -> r.tier() + "/" + r.seed())
                    .containsExactly("micro/1337", "test/1337", "test/1338", "test/1339");
            assertThat(all.get(0).verdict().reason()).contains("mean of 3 seeds");
            assertThat(l.runs(all.get(1).candidate().id())).hasSize(2);
            // both kept results wait for the dear tier
            assertThat(l.promotions()).extracting(p -> p.candidateId() + "/" + p.tier() + "/" + p.state())
                    .containsExactly(all.get(0).candidate().id() + "/official/queued", all.get(1).candidate().id() + "/official/queued");
        }
        assertThat(all.get(1).run().logSha256()).matches("[0-9a-f]{64}");
        assertThat(Files.readString(Path.of(all.get(1).run().logPath()))).contains("final_int6_zlib_roundtrip_exact");
        assertThat(all.get(1).run().artifactBytes()).isPositive();
        assertThat(Files.list(new Workspace(ws).worktrees()).count()).as("worktrees are removed").isZero();

        StringWriter tsv = new StringWriter();
        LedgerExport.tsv(all, tsv);
        assertThat(tsv.toString().lines().findFirst().orElseThrow()).startsWith("commit\tval_bpb\tmemory_gb\tstatus\tdescription\t");
        assertThat(tsv.toString().lines()).hasSize(3);
    }

    @Test
    void aWorseCandidateIsDiscardedAndTheBranchStays() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, scripted(Proposal.env("timid learning rates",
                Map.of("EMBED_LR", "0.002", "MATRIX_LR", "0.0008", "SCALAR_LR", "0.0008"))), 2, "test");
        assertThat(all.get(1).verdict().verdict()).isEqualTo(Verdict.DISCARD);
        assertThat(all.get(1).verdict().reason()).contains("does not beat the best");
        assertThat(new Git(ws).revParse("caddie/t")).isEqualTo(all.get(0).candidate().commit());
    }

    @Test
    void theCriticRejectsARepeatOfAFailureOnTheSameParentBeforeAnyComputeAndTheAgentsAreTold() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Map<String, String> timid = Map.of("EMBED_LR", "0.002", "MATRIX_LR", "0.0008", "SCALAR_LR", "0.0008");
        List<Experiment> all = loop(ws, scripted(Proposal.env("timid learning rates", timid), Proposal.env("timid learning rates, again", timid)), 3, "test");
        assertThat(all.get(1).verdict().verdict()).isEqualTo(Verdict.DISCARD);
        Experiment again = all.get(2);
        assertThat(again.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(again.verdict().reason()).startsWith("critic: near-identical").contains("candidate " + all.get(1).candidate().id()).contains("ended discard");
        assertThat(again.run()).as("no compute spent").isNull();
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            assertThat(l.gateResults(again.candidate().id())).extracting(GateRecord::gate).endsWith("critic");
            String state = dev.caddie.agent.DecisionState.render(TaskSpecReader.read(ws), l, "t");
            assertThat(state).contains("timid learning rates, again (rejected)");
        }
        // Too large a change is refused by its size, with the limit from caddie.toml, before it runs anywhere.
        Path toml = ws.resolve("caddie.toml");
        Files.writeString(toml, Files.readString(toml) + "\n[critic]\nmax_diff_lines = 1\n");
        List<Experiment> big = loop(ws, scripted(edit("two-line edit", "train.java", "import java.io.*;\n", "import java.io.*;\n// a\n// b\n")), 1, "test");
        assertThat(big.get(big.size() - 1).verdict().reason()).contains("over [critic] max_diff_lines = 1");
        assertThat(big.get(big.size() - 1).run()).isNull();
    }

    @Test
    void aCandidateThatEditsAProtectedFileIsRejectedWithItsReason() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        // protect the tracked README too, then let a candidate change it
        String sha = dev.caddie.run.Runner.sha256(ws.resolve("README.md"));
        Path toml = ws.resolve("caddie.toml");
        Files.writeString(toml, Files.readString(toml).replace("[protected]\n", "[protected]\n\"README.md\" = \"" + sha + "\"\n"));
        List<Experiment> all = loop(ws, scripted(edit("rewrite the rules", "README.md", "Tiny Golf", "Tiny Golf (easier)")), 2, "test");
        Experiment e = all.get(1);
        assertThat(e.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(e.verdict().reason()).contains("protected-files").contains("README.md");
        assertThat(e.run()).as("no compute spent").isNull();
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            assertThat(l.gateResults(e.candidate().id())).extracting(GateRecord::passed).containsExactly(false);
        }
    }

    @Test
    void aProposalWhoseEditCannotBeAppliedIsRejectedAndTheLoopGoesOn() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, scripted(
                new Proposal("a stale diff", Map.of(), dev.caddie.search.DiffEdit.parse(
                        "--- a/train.java\n+++ b/train.java\n@@ -1,1 +1,1 @@\n-no such first line\n+x\n", "stale.diff")),
                Proposal.env("timid learning rates", Map.of("EMBED_LR", "0.002", "MATRIX_LR", "0.0008", "SCALAR_LR", "0.0008"))), 3, "test");
        assertThat(all).hasSize(3);
        assertThat(all.get(1).verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(all.get(1).verdict().reason()).startsWith("apply: stale.diff: hunk 1 of train.java");
        assertThat(all.get(2).verdict()).isNotNull();
    }

    @Test
    void aCandidateThatEditsANonEditableFileIsRejected() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, scripted(new Proposal("new helper", Map.of(), wt -> Files.writeString(wt.resolve("helper.py"), "x = 1\n"))), 2, "test");
        assertThat(all.get(1).verdict().reason()).contains("editable-files").contains("helper.py").contains("editable: train.java");
    }

    @Test
    void aCandidateOverTheArtifactLimitIsStoppedAtTheMicroTier() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, scripted(Proposal.env("wider", Map.of("MODEL_DIM", "128", "QUANT_BITS", "8"))), 2, "test");
        Experiment e = all.get(1);
        assertThat(e.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(e.verdict().reason()).startsWith("micro: artifact").contains("over the limit of 160,000");
        assertThat(e.run().tier()).as("no run above the micro tier").isEqualTo("micro");
    }

    @Test
    void withoutTheMicroTierTheArtifactGateRejectsAfterTheRun() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path toml = ws.resolve("caddie.toml");
        Files.writeString(toml, Files.readString(toml).replace("micro_first = true", "micro_first = false"));
        List<Experiment> all = loop(ws, scripted(Proposal.env("wider", Map.of("MODEL_DIM", "128", "QUANT_BITS", "8"))), 2, "test");
        Experiment e = all.get(1);
        assertThat(e.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(e.verdict().reason()).contains("artifact-limit").contains("over the limit of 160,000");
        assertThat(e.run().tier()).isEqualTo("test");
        assertThat(e.run().artifactBytes()).isGreaterThan(160_000L);
    }

    @Test
    void aCandidateThatMakesTheLossNanIsCaughtAtTheMicroTier() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, scripted(edit("a bad loss scale", "train.java",
                "            return loss / M;\n", "            return loss / M * (inputs.length > 0 ? Double.NaN : 1);\n")), 2, "test");
        Experiment e = all.get(1);
        assertThat(e.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(e.verdict().reason()).isEqualTo("micro: the loss became NaN or infinite");
        assertThat(e.run().tier()).isEqualTo("micro");
        assertThat(e.run().status()).isEqualTo("nan");
    }

    @Test
    void aRunMadeWorseOnPurposeIsAbortedEarlyAndItsSavedComputeRecorded() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path toml = ws.resolve("caddie.toml");
        Files.writeString(toml, Files.readString(toml).replace("micro_first = true", "micro_first = false") + """

                [tiers.curve]
                executor = "local"
                timeout_seconds = 120
                cost_per_hour = 0.0
                env = { ITERATIONS = "60", MAX_WALLCLOCK_SECONDS = "0", VAL_LOSS_EVERY = "10", VAL_MAX_TOKENS = "4096" }
                """);
        List<Experiment> all = loop(ws, scripted(Proposal.env("learning rates near zero",
                Map.of("EMBED_LR", "0.00001", "MATRIX_LR", "0.00001", "SCALAR_LR", "0.00001"))), 2, "curve");
        Experiment e = all.get(1);
        assertThat(e.run().status()).isEqualTo("aborted");
        assertThat(e.verdict().verdict()).isEqualTo(Verdict.DISCARD);
        assertThat(e.verdict().reason()).startsWith("aborted early: at step 20 val_bpb").contains("saved about");
        assertThat(e.run().savedMs()).isPositive();
        assertThat(Files.readString(Path.of(e.run().logPath()))).doesNotContain("final_int6_zlib_roundtrip");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            assertThat(l.savedMs("t")).isEqualTo(e.run().savedMs());
        }
    }

    @Test
    void aCrashingCandidateIsRecordedAsACrashWithItsTraceback() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, scripted(edit("break the optimizer", "train.java",
                "        void step(double lrMul) {\n", "        void step(double lrMul) {\n            if (t > 2) throw new IllegalStateException(\"optimizer exploded\");\n")), 2, "test");
        Experiment e = all.get(1);
        assertThat(e.verdict().verdict()).isEqualTo(Verdict.CRASH);
        assertThat(e.verdict().reason()).startsWith("micro: crashed");
        assertThat(e.run().status()).isEqualTo("crashed");
        assertThat(e.run().error()).contains("IllegalStateException: optimizer exploded").contains("at train$AdamW.step");
        assertThat(e.run().exitCode()).isNotZero();
    }

    @Test
    void theBuiltInSearchProposesWithinItsSpaceAndEveryRunIsRecorded() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        List<Experiment> all = loop(ws, new SearchProposer(3), 3, "test");
        assertThat(all).hasSize(3);
        assertThat(all.subList(1, 3)).allSatisfy(e -> {
            assertThat(e.candidate().proposer()).isEqualTo("search");
            assertThat(e.candidate().env()).containsKeys("MATRIX_LR", "EMBED_LR", "QUANT_BITS");
            assertThat(e.verdict()).isNotNull();
        });
    }
}
