package dev.caddie.loop;

import dev.caddie.gate.CandidateChange;
import dev.caddie.gate.GateResult;
import dev.caddie.agent.AgentEdit;
import dev.caddie.gate.ChangeFingerprint;
import dev.caddie.gate.Critic;
import dev.caddie.gate.StaticGates;
import dev.caddie.gate.TierTransfer;
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.search.Proposal;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns a proposal into a gated candidate: a worktree at the parent commit, the edit applied and committed,
 * the candidate in the ledger, the static gates run. A rejected candidate's verdict is recorded and its
 * worktree removed.
 */
final class CandidateMaker {
    /** A candidate ready to run (worktree set), or rejected (worktree null). */
    record Made(long id, Path worktree, Map<String, String> env) {
        boolean passed() { return worktree != null; }
    }

    private final TaskSpec task;
    private final Ledger ledger;
    private final LoopListener listener;
    private final Git git;
    private final Workspace ws;
    private final StaticGates gates = StaticGates.standard();
    private final Critic critic;
    private boolean backfilled;

    CandidateMaker(TaskSpec task, Ledger ledger, LoopListener listener) {
        this.task = task;
        this.ledger = ledger;
        this.listener = listener;
        this.git = new Git(task.workspace());
        this.ws = new Workspace(task.workspace());
        this.critic = new Critic(task.critic());
    }

    Made make(String tag, String parent, Proposal proposal, String proposerName, Map<String, String> baseEnv, Double bestValue) throws IOException {
        Map<String, String> env = new TreeMap<>(baseEnv);
        env.putAll(proposal.env());
        Files.createDirectories(ws.worktrees());
        Path wt = Files.createTempDirectory(ws.worktrees(), "wt-");
        Files.delete(wt);
        git.worktreeAdd(wt, parent);
        boolean keepWorktree = false;
        try {
            if (proposal.edit() != null) {
                try {
                    proposal.edit().apply(wt);
                } catch (IOException e) { // a proposal that cannot be applied is a rejected candidate, not a dead loop
                    long cid = ledger.addCandidate(tag, parent, parent, proposerName, proposal.description(), env, 0, 0, 0);
                    listener.candidate(cid, proposal.description());
                    ledger.addGateResult(cid, null, "apply", false, e.getMessage());
                    ledger.addVerdict(cid, null, Verdict.REJECTED, "apply: " + e.getMessage(), bestValue);
                    return new Made(cid, null, env);
                }
            }
            // An agent says what it did only once it has done it; its hypothesis is kept beside the candidate.
            AgentEdit agent = proposal.edit() instanceof AgentEdit a ? a : null;
            String description = agent != null && agent.description() != null ? agent.description() : proposal.description();
            String commit = Git.commitAll(wt, commitMessage(description, proposerName, env));
            List<String> changed = git.changedFiles(parent, commit);
            int[] stat = git.diffStat(parent, commit);
            long cid = ledger.addCandidate(tag, commit, parent, proposerName, description, env, stat[0], stat[1], stat[2]);
            if (agent != null && agent.hypothesis() != null) ledger.addHypothesis(cid, agent.hypothesis());
            listener.candidate(cid, description);
            // Fingerprinted before any gate, so even a candidate the gates reject is history the critic can match.
            ChangeFingerprint fp = fingerprint(cid, parent, commit, env);
            List<GateResult> results = new java.util.ArrayList<>(gates.check(new CandidateChange(task, wt, changed)));
            // The baseline is judged by no critic: rerun after its environment was fixed, it is the same change as the one that crashed.
            if (results.stream().allMatch(GateResult::passed) && task.critic().enabled() && !proposerName.equals("baseline"))
                results.addAll(critic.judge(parent, fp, failures(cid), transferNote(tag)).results());
            for (GateResult g : results) {
                ledger.addGateResult(cid, null, g.gate(), g.passed(), g.reason());
                if (!g.passed()) {
                    ledger.addVerdict(cid, null, Verdict.REJECTED, g.gate() + ": " + g.reason(), bestValue);
                    return new Made(cid, null, env);
                }
            }
            keepWorktree = true;
            return new Made(cid, wt, env);
        } finally {
            if (!keepWorktree) remove(wt);
        }
    }

    private ChangeFingerprint fingerprint(long cid, String parent, String commit, Map<String, String> env) throws IOException {
        if (!backfilled) backfill();
        ChangeFingerprint fp = ChangeFingerprint.of(git.diff(parent, commit), env);
        ledger.putChangeFingerprint(cid, parent, fp.changedLines(), ChangeFingerprint.bytes(fp.signature()));
        return fp;
    }

    /** Failures made before the critic existed get their fingerprints once, newest first, so the critic knows them too. */
    private void backfill() {
        backfilled = true;
        for (Candidate c : ledger.failedWithoutFingerprint(2000)) {
            try {
                ChangeFingerprint fp = ChangeFingerprint.of(git.diff(c.parent(), c.commit()), c.env());
                ledger.putChangeFingerprint(c.id(), c.parent(), fp.changedLines(), ChangeFingerprint.bytes(fp.signature()));
            } catch (IOException e) {
                // its commit is gone (a cleaned repository): nothing to compare with
            }
        }
    }

    private List<Critic.Past> failures(long except) {
        return ledger.failedChanges().stream().filter(f -> f.candidateId() != except)
                .map(f -> new Critic.Past(f.candidateId(), f.parent(), ChangeFingerprint.signature(f.signature()), f.verdict(), f.reason())).toList();
    }

    /** When `caddie calibrate`'s pairs show the loop tier's ranking carrying poorly to the promotion tier, every change is a scale risk. */
    private String transferNote(String tag) {
        String cheap = task.loop().tier(), dear = task.budget().promoteTier();
        if (cheap == null || dear == null || cheap.equals(dear)) return null;
        TierTransfer t = Calibration.fit(ledger, tag, cheap, dear);
        if (t.n() < Calibration.MIN_PAIRS || !(t.spearman() < 0.5)) return null;
        return String.format(java.util.Locale.ROOT, "calibration: %s's ranking carries to %s with Spearman rho %.2f over %d commits", cheap, dear, t.spearman(), t.n());
    }

    void remove(Path wt) {
        try {
            git.worktreeRemove(wt);
        } catch (IOException e) {
            // Not (or no longer) a registered worktree, e.g. left half-made by a killed Caddie: delete the folder itself.
            try (var files = Files.walk(wt)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException again) {
                listener.note("could not remove worktree " + wt + ": " + e.getMessage());
            }
        }
    }

    static String commitMessage(String description, String proposer, Map<String, String> env) {
        String first = description.lines().findFirst().orElse("candidate");
        if (first.length() > 72) first = first.substring(0, 69) + "...";
        String envLine = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        return first + "\n\n" + description + "\n\nCaddie-Proposer: " + proposer + (envLine.isEmpty() ? "" : "\nCaddie-Env: " + envLine) + "\n";
    }
}
