package dev.caddie.loop;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposal;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.caddie.loop.ExperimentLoopTest.scripted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One loop per workspace, and what a stopped loop left behind is cleaned up by the next. */
class LoopLockTest {
    @TempDir Path tmp;

    @Test
    void aSecondLoopInTheSameWorkspaceIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        Workspace ws = new Workspace(TestWorkspace.create(tmp.resolve("ws")));
        try (LoopLock first = LoopLock.acquire(ws)) {
            assertThatThrownBy(() -> LoopLock.acquire(ws)).hasMessageContaining("another Caddie is already running the loop")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        LoopLock.acquire(ws).close(); // released: free again
    }

    @Test
    void aLeftoverWorktreeAndACandidateWithoutAVerdictAreSettledAtTheNextStart() throws Exception {
        Path root = TestWorkspace.create(tmp.resolve("ws"));
        Workspace ws = new Workspace(root);
        var task = TaskSpecReader.read(root);
        long blank;
        try (Ledger l = Ledger.open(ws.ledgerFile())) {
            String head = new Git(root).revParse("HEAD");
            blank = l.addCandidate("t", head, head, "search", "stopped while gating", Map.of(), 0, 0, 0);
        }
        Path stale = ws.worktrees().resolve("wt-left-by-kill-9");
        new Git(root).worktreeAdd(stale, "HEAD");
        try (Ledger l = Ledger.open(ws.ledgerFile())) {
            new ExperimentLoop(task, l, new Runner(new LocalExecutor()), scripted(Proposal.env("x", Map.of())), new LoopListener() {})
                    .run(new LoopOptions("t", 1, null, "micro", 1337));
            Experiment e = l.experiments("t").stream().filter(x -> x.candidate().id() == blank).findFirst().orElseThrow();
            assertThat(e.verdict().verdict()).isEqualTo(Verdict.INTERRUPTED);
            assertThat(e.verdict().reason()).contains("stopped before this candidate's verdict");
        }
        assertThat(stale).doesNotExist();
        List<String> worktrees = Git.run(root, "worktree", "list").lines().toList();
        assertThat(worktrees).noneMatch(w -> w.contains("wt-left-by-kill-9"));
        assertThat(Files.list(ws.worktrees()).toList()).isEmpty();
    }
}
