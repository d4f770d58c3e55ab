package dev.caddie.research;

import dev.caddie.agent.AgentRunner;
import dev.caddie.gate.CandidateChange;
import dev.caddie.gate.GateResult;
import dev.caddie.gate.StaticGates;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FindingGrade;
import dev.caddie.ledger.FindingStore;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Workspace;
import dev.caddie.run.Git;
import dev.caddie.run.Runner;
import dev.caddie.search.MicroReport;
import dev.caddie.search.MicroRunner;
import dev.caddie.task.AgentSpec;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * `caddie research verify`: the best A-tier findings not yet tried go, one at a time, to a coding agent in a worktree
 * of the experiment branch's head, asked for the smallest change that implements the finding's plan; the change
 * goes through the static gates and the micro tier, and how it went (passes, crash, nan, no learning, over the
 * limit, rejected by a gate, no change, the agent failed) is recorded on the finding with the diff, for a proposer
 * to start from. Nothing is kept or promoted here: a finding that passes is evidence, not a result.
 */
public final class Verifier {
    public record Outcome(Finding finding, FindingStore.Verification verification) {}

    private final TaskSpec task;
    private final Ledger ledger;
    private final AgentSpec agent;
    private final AgentRunner runner;
    private final Runner executor;

    public Verifier(TaskSpec task, Ledger ledger, AgentSpec agent, boolean sandboxed, Runner executor) {
        this.task = task;
        this.ledger = ledger;
        this.agent = agent;
        this.runner = new AgentRunner(sandboxed);
        this.executor = executor;
    }

    /** A-tier findings graded and not yet verified, highest expected gain first. */
    public List<Finding> candidates(int top) {
        Map<Long, FindingGrade> grades = ledger.findings().latestGrades();
        var verified = ledger.findings().latestVerifications().keySet();
        return grades.values().stream().filter(g -> FindingGrade.GRADED.equals(g.status()) && "A".equals(g.tier()) && !verified.contains(g.findingId()))
                .sorted(Comparator.comparingDouble((FindingGrade g) -> -g.expectedGain()).thenComparingLong(FindingGrade::findingId)).limit(top)
                .map(g -> ledger.findings().get(g.findingId()).orElseThrow()).toList();
    }

    public List<Outcome> run(int top, String baseCommit, Consumer<String> progress) throws IOException, InterruptedException {
        List<Outcome> out = new ArrayList<>();
        List<Finding> todo = candidates(top);
        Workspace ws = new Workspace(task.workspace());
        Git git = new Git(task.workspace());
        for (int i = 0; i < todo.size(); i++) {
            Finding f = todo.get(i);
            progress.accept(String.format(Locale.ROOT, "verifying %d/%d: %s", i + 1, todo.size(), f.title()));
            Files.createDirectories(ws.worktrees());
            Path wt = Files.createTempDirectory(ws.worktrees(), "verify-");
            Files.delete(wt);
            git.worktreeAdd(wt, baseCommit);
            FindingStore.Verification v;
            try {
                v = verify(f, wt, baseCommit, ws, progress);
            } finally {
                git.worktreeRemove(wt);
            }
            ledger.findings().addVerification(v);
            out.add(new Outcome(f, v));
        }
        return out;
    }

    private FindingStore.Verification verify(Finding f, Path wt, String base, Workspace ws, Consumer<String> progress) throws IOException, InterruptedException {
        FindingGrade g = ledger.findings().latestGrades().get(f.id());
        Path transcript = ws.caddieDir().resolve("agents").resolve("verify-" + f.id() + "-" + agent.name() + ".txt");
        Files.createDirectories(transcript.getParent());
        AgentRunner.Result r = runner.run(agent, wt, task.workspace(), prompt(f, g), task.editable(), new ArrayList<>(task.protectedFiles().keySet()), transcript);
        if (!r.ok())
            return new FindingStore.Verification(f.id(), "agent failed", r.timedOut() ? "did not finish within " + agent.timeoutSeconds() + " s"
                    : "exited with code " + r.exitCode() + " (transcript " + transcript + ")", base, null, null);
        List<String> changed = Git.run(wt, "status", "--porcelain", "-uall").lines().filter(l -> l.length() > 3).map(l -> l.substring(3)).toList();
        Git.run(wt, "add", "-A");
        String diff = Git.run(wt, "diff", "--cached", "--no-color");
        if (diff.isBlank()) return new FindingStore.Verification(f.id(), "no change", "the agent changed nothing (transcript " + transcript + ")", base, null, null);
        for (GateResult gate : StaticGates.standard().check(new CandidateChange(task, wt, changed)))
            if (!gate.passed()) return new FindingStore.Verification(f.id(), "rejected", gate.gate() + ": " + gate.reason(), base, diff, null);
        progress.accept("micro tier: " + f.title());
        Path log = ws.caddieDir().resolve("micro").resolve("verify-" + f.id() + ".txt");
        MicroReport m = new MicroRunner(task, executor).run(wt, Map.of(), 1337, "micro", log, new Runner.Listener() {});
        String outcome = m.passed() ? "passes" : m.crashed() ? "crash" : m.nan() ? "nan" : !m.lossFell() ? "no learning"
                : !m.withinLimit() ? "over the limit" : "fails";
        return new FindingStore.Verification(f.id(), outcome, m.passed() ? "micro tier passed (log " + m.logPath() + ")" : m.reason(), base, diff, null);
    }

    private String prompt(Finding f, FindingGrade g) {
        return """
                Implement, as the smallest change that can test it, the technique of this research finding in this training script.
                Edit only these files: %s. Do not run training or tests; Caddie runs the result on its micro tier.

                Finding: %s
                URL: %s
                Abstract: %s

                Plan (from grading): %s
                """.formatted(String.join(", ", task.editable()), f.title(), f.url() == null ? "-" : f.url(),
                f.summary() == null ? "-" : f.summary().length() > 2000 ? f.summary().substring(0, 2000) + "..." : f.summary(), g == null ? "-" : g.plan());
    }

}
