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
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
            List<Experiment> all = l.experiments("t");
            Experiment winner = all.stream().filter(e -> e.candidate().id() == r.winner()).findFirst().orElseThrow();
            assertThat(winner.candidate().description()).isEqualTo("d: bold");
            assertThat(winner.verdict().verdict()).isEqualTo(Verdict.KEEP);
            assertThat(new Git(ws).revParse("caddie/t")).isEqualTo(winner.candidate().commit());
            assertThat(r.spentFullRunEquivalents()).isLessThan(4.0);
            assertThat(l.runs(winner.candidate().id())).extracting(RunRecord::tier)
                    .containsExactly("test@ITERATIONS=5", "test@ITERATIONS=10", "test");
            assertThat(all).filteredOn(e -> e.candidate().id() != r.winner())
                    .allSatisfy(e -> assertThat(e.verdict().reason()).startsWith("tournament: eliminated after rung"));
        }
    }

    @Test
    void badRungSpecsAreRefusedWithWhatIsAccepted() {
        assertThatThrownBy(() -> Tournament.rungs("50,150")).hasMessageContaining("must look like ITERATIONS=50,150");
        assertThatThrownBy(() -> Tournament.rungs("ITERATIONS=50,lots")).hasMessageContaining("'lots' is not a number");
    }
}
