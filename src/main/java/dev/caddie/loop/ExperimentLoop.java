package dev.caddie.loop;

import dev.caddie.gate.ArtifactLimitGate;
import dev.caddie.gate.EarlyAbort;
import dev.caddie.gate.GateResult;
import dev.caddie.gate.KeepRule;
import dev.caddie.gate.TierNoise;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.run.LogParser;
import dev.caddie.run.RunOutcome;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposal;
import dev.caddie.search.ProposalContext;
import dev.caddie.search.Proposer;
import dev.caddie.search.Trial;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The keep/discard loop: propose, gate, run, gate the result, keep or discard. The branch caddie/TAG
 * advances only on keep. Every step is in the ledger before the next starts, so a restart resumes.
 */
public final class ExperimentLoop {
    private final TaskSpec task;
    private final Ledger ledger;
    private final Runner runner;
    private final Proposer proposer;
    private final LoopListener listener;
    private final Workspace ws;
    private final Git git;
    private final RecordedRuns recorder;
    private final CandidateMaker maker;
    private final MicroGate micro;
    private volatile boolean stopping;
    private volatile String halted;
    private final FailureStreak failures;
    private final CountDownLatch done = new CountDownLatch(1);
    /** The swarm this loop works in as one worker, or null for a loop on its own. */
    private SwarmWorker swarm;

    public ExperimentLoop(TaskSpec task, Ledger ledger, Runner runner, Proposer proposer, LoopListener listener) {
        this.task = task;
        this.ledger = ledger;
        this.runner = runner;
        this.proposer = proposer;
        this.listener = listener;
        this.ws = new Workspace(task.workspace());
        this.git = new Git(task.workspace());
        this.recorder = new RecordedRuns(task, ledger, runner, listener);
        this.maker = new CandidateMaker(task, ledger, listener);
        this.micro = new MicroGate(task, ledger, recorder);
        this.failures = new FailureStreak(task.loop().maxConsecutiveFailures());
    }

    /** Asks the loop to stop: the current run is killed and recorded as interrupted. Waits for that record. */
    public void stop(Duration wait) {
        stopping = true;
        runner.interrupt();
        try {
            done.await(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static String branch(String tag) { return "caddie/" + tag; }

    /** Makes this loop one worker of a swarm: it takes queued work first, and its keeps are serialised across machines. */
    public ExperimentLoop inSwarm(SwarmWorker worker) {
        this.swarm = worker;
        return this;
    }

    /** Why the loop stopped on its own before its limits (a broken baseline, a command that cannot start, crashes in a row). */
    public Optional<String> halted() { return Optional.ofNullable(halted); }

    /** Runs experiments until the options' limits; returns the experiments of this tag. */
    public List<Experiment> run(LoopOptions opt) throws IOException, InterruptedException {
        try {
            Git.requireRepo(task.workspace());
            Tier tier = task.tier(opt.tier());
            adoptOrphans(opt, tier);
            for (Long id : ledger.recoverInterrupted(runner.executors())) listener.note("run " + id + " was left running by a Caddie that died: marked interrupted");
            for (String reaped : runner.executors().reapAll(task.workspace(), ledger.liveRemotes())) listener.note(reaped);
            // Stopped between its commit and its verdict (Ctrl-C while gating): it gets one, so no candidate stays blank.
            java.util.Set<Long> queued = new java.util.HashSet<>();
            for (Ledger.QueueEntry q : ledger.queue()) queued.add(q.candidateId());
            for (Experiment e : ledger.experiments(opt.tag()))
                if (e.verdict() == null && (e.run() == null || !e.run().status().equals("running")) && !queued.contains(e.candidate().id())
                        && !ledger.candidateOwnerAlive(e.candidate().id()))
                    ledger.addVerdict(e.candidate().id(), e.run() == null ? null : e.run().id(), Verdict.INTERRUPTED,
                            "Caddie was stopped before this candidate's verdict", null);
            removeStaleWorktrees();
            List<String> dirty = git.run("status", "--porcelain", "--untracked-files=no").lines()
                    .map(l -> l.substring(3)).filter(task.editable()::contains).toList();
            if (!dirty.isEmpty())
                listener.note("uncommitted changes to " + String.join(", ", dirty) + " are not part of the experiments; commit them to include them");
            String branch = branch(opt.tag());
            syncBranch(opt.tag(), branch);
            // Runs see committed files only: an untracked script would make every candidate "does not exist".
            if (!git.hasFile(branch, task.script()))
                throw new IllegalArgumentException(task.script() + " is not in the commit the loop starts from (" + branch + " at "
                        + git.revParse(branch).substring(0, 7) + "): Caddie runs committed files only. Commit it (git add " + task.script()
                        + " && git commit), or point [task] script in caddie.toml at your training script");
            if (task.loop().keepRule().equals(dev.caddie.gate.KeepRule.SOTA) && dev.caddie.frontier.CurrentRecord.sota(task, ledger) == null)
                throw new IllegalArgumentException("the \"sota\" keep rule measures gains against the state of the art, and there is none: set [loop] sota "
                        + "in caddie.toml, or run `caddie frontier sync` so that the challenge's current record is used");
            long deadline = opt.hours() == null ? Long.MAX_VALUE : System.currentTimeMillis() + (long) (opt.hours() * 3_600_000);
            for (int i = 0; (opt.experiments() == null || i < opt.experiments()) && !stopping; i++) {
                if (System.currentTimeMillis() >= deadline) { listener.note("time budget reached"); break; }
                boolean baseline = ledger.best(opt.tag(), task.metric().minimize()).isEmpty();
                long cid;
                if (swarm != null) {
                    for (Long id : ledger.recoverInterrupted(runner.executors())) listener.note("run " + id + " was left by a worker that stopped: interrupted, its candidate requeued");
                    syncBranch(opt.tag(), branch);
                    var claim = ledger.claimQueued(opt.tag());
                    if (claim.isPresent()) cid = runQueued(opt, tier, claim.get());
                    else if (baseline && !claimBaseline(opt.tag())) {
                        swarm.doing("waiting for another worker's baseline");
                        i--;
                        Thread.sleep(1000);
                        continue;
                    }
                    else cid = experiment(opt, tier, branch, baseline);
                } else cid = experiment(opt, tier, branch, baseline);
                halted = haltReason(opt.tag(), cid, baseline);
                if (halted != null) break;
            }
            return ledger.experiments(opt.tag());
        } finally {
            done.countDown();
        }
    }

    /**
     * Worktrees a stopped or killed loop left behind. The caller holds the workspace's loop lock, so no live loop
     * is using them; `caddie micro` and promotions use their own prefixes and are left alone.
     */
    private void removeStaleWorktrees() throws IOException {
        if (Files.isDirectory(ws.worktrees())) {
            try (var dirs = Files.list(ws.worktrees())) {
                for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("wt-")).toList()) maker.remove(d);
            }
        }
        git.worktreePrune();
    }

    /** The branch points at the latest kept candidate; repairs it if a crash left it behind. */
    private void syncBranch(String tag, String branch) throws IOException {
        String head = git.revParse("HEAD");
        Optional<Experiment> lastKeep = ledger.experiments(tag).stream()
                .filter(e -> e.verdict() != null && e.verdict().verdict().equals(Verdict.KEEP)).reduce((a, b) -> b);
        String target = lastKeep.map(e -> e.candidate().commit()).orElse(null);
        // in a swarm the keep may have been made on another machine: its commit comes from the remote
        if (swarm != null && lastKeep.isPresent()) swarm.fetchCandidate(lastKeep.get().candidate().id(), target);
        if (!git.refExists(branch)) git.branchForce(branch, target != null ? target : head);
        else if (target != null && !git.revParse(branch).equals(target)) git.branchForce(branch, target);
    }

    /**
     * Whether the loop must stop after this candidate, and why: everything else is judged against the baseline,
     * so a baseline that did not score stops it, and so does a streak of failures (FailureStreak).
     */
    private String haltReason(String tag, long cid, boolean baseline) {
        Experiment e = ledger.experiments(tag).stream().filter(x -> x.candidate().id() == cid).findFirst().orElse(null);
        String streak = failures.after(e);
        if (streak != null || e == null || e.verdict() == null || !baseline) return streak;
        String v = e.verdict().verdict();
        if (v.equals(Verdict.KEEP) || v.equals(Verdict.INTERRUPTED)) return null;
        return "the baseline (the script as committed, unchanged) " + (v.equals(Verdict.CRASH) ? "crashed" : "was " + v) + ": " + e.verdict().reason()
                + ". Every candidate is judged against the baseline, so fix it and run again; `caddie ledger show " + cid + "` has the full log";
    }

    private long experiment(LoopOptions opt, Tier tier, String branch, boolean baseline) throws IOException, InterruptedException {
        List<Experiment> past = ledger.experiments(opt.tag());
        Optional<Experiment> best = ledger.best(opt.tag(), task.metric().minimize());
        Map<String, String> bestEnv = best.map(e -> e.candidate().env()).orElse(Map.of());
        Proposal proposal;
        String proposerName;
        if (baseline) {
            proposal = Proposal.env("baseline (unchanged)", Map.of());
            proposerName = "baseline";
        } else {
            List<Trial> history = past.stream().filter(e -> e.verdict() != null && !e.verdict().verdict().equals(Verdict.INTERRUPTED))
                    .map(e -> new Trial(e.candidate().env(), scored(e) ? score(e) : null,
                            e.run() == null ? null : e.run().artifactBytes(), e.run() == null ? null : e.run().codeBytes())).toList();
            proposal = proposer.propose(new ProposalContext(task, opt.tag(), history, bestEnv, best.map(this::score).orElse(null), past.size()));
            proposerName = proposer.name();
        }
        if (swarm != null) swarm.doing("proposing (" + proposerName + ")");
        CandidateMaker.Made made = maker.make(opt.tag(), git.revParse(branch), proposal, proposerName, bestEnv, best.map(this::score).orElse(null));
        try {
            if (made.passed() && swarm != null && !published(made.id(), best)) { report(opt.tag(), made.id()); return made.id(); }
            if (made.passed() && swarm != null) swarm.doing("running candidate " + made.id() + " on " + tier.name());
            if (made.passed()) runCandidate(opt, tier, made.id(), made.worktree(), made.env(), best);
            report(opt.tag(), made.id());
            return made.id();
        } finally {
            if (made.passed()) maker.remove(made.worktree());
        }
    }

    /** The challenge's artifact accounting with the script that ran; a script that does not read as one falls back to the log's total. */
    private GateResult artifactGate(dev.caddie.run.LogSummary s, Path wt) throws IOException {
        Path script = wt.resolve(task.script());
        if (!Files.isRegularFile(script)) return ArtifactLimitGate.check(s, task.limits().artifactBytes());
        try {
            return ArtifactLimitGate.check(s, dev.caddie.rules.ScriptCode.read(script), task.limits().artifactBytes());
        } catch (IllegalArgumentException e) {
            return ArtifactLimitGate.check(s, task.limits().artifactBytes());
        }
    }

    /** The micro tier first, where the task asks for it; false (with the verdict recorded) when the candidate stopped there. */
    private boolean microFirst(long cid, Tier tier, Map<String, String> env, Path wt, long seed, Double bestValue)
            throws IOException, InterruptedException {
        if (!task.loop().microFirst() || !micro.appliesBefore(tier)) return true;
        return micro.check(cid, env, wt, seed, bestValue).passed();
    }

    private void runCandidate(LoopOptions opt, Tier tier, long cid, Path wt, Map<String, String> env, Optional<Experiment> best)
            throws IOException, InterruptedException {
        Double bestValue = best.map(this::score).orElse(null);
        if (stopping || !microFirst(cid, tier, env, wt, opt.seed(), bestValue) || stopping) return;
        EarlyAbort oracle = null;
        Long referenceMs = null;
        var bestRun = best.map(Experiment::run).filter(r -> r.tier().equals(tier.name()) && r.logPath() != null);
        if (task.loop().abortK() > 0 && bestRun.isPresent() && Files.exists(Path.of(bestRun.get().logPath()))) {
            var curve = new LogParser().parse(Path.of(bestRun.get().logPath())).valCurve();
            oracle = EarlyAbort.forTier(curve, task.metric(), TierNoise.pooled(ledger.scoresPerCandidate(opt.tag(), tier.name())), task.loop().abortK());
            referenceMs = bestRun.get().durationMs();
        }
        RecordedRuns.Recorded rec = recorder.execute(cid, tier, env, wt, opt.seed(), oracle, referenceMs);
        judge(opt, tier, cid, wt, env, bestValue, rec, oracle);
    }

    /** The verdict on a candidate's run on the loop's tier: its gates after the run, its seeds, the keep rule. */
    private void judge(LoopOptions opt, Tier tier, long cid, Path wt, Map<String, String> env, Double bestValue, RecordedRuns.Recorded rec,
                       EarlyAbort oracle) throws IOException, InterruptedException {
        RunOutcome out = rec.outcome();
        long runId = rec.runId();
        var s = out.summary();

        if (out.status() == RunStatus.ABORTED) {
            Long saved = ledger.run(runId).map(r -> r.savedMs()).orElse(null);
            ledger.addVerdict(cid, runId, Verdict.DISCARD, "aborted early: " + (oracle == null ? "stopped" : oracle.reason())
                    + (saved == null ? "" : String.format("; saved about %.1f s of compute", saved / 1000.0)), bestValue);
            return;
        }

        if (out.status() == RunStatus.INTERRUPTED) {
            ledger.addVerdict(cid, runId, Verdict.INTERRUPTED, "interrupted (Ctrl-C or stop)", bestValue);
            return;
        }
        if (FailureStreak.recordMachineFault(ledger, cid, runId, out, bestValue, "")) return;
        if (out.status() != RunStatus.OK) {
            String last = out.errorLines().isEmpty() ? "" : out.errorLines().get(out.errorLines().size() - 1);
            ledger.addVerdict(cid, runId, Verdict.CRASH, out.status().word + (last.isEmpty() ? "" : ": " + last), bestValue);
            return;
        }
        GateResult artifact = artifactGate(s, wt);
        ledger.addGateResult(cid, runId, artifact.gate(), artifact.passed(), artifact.reason());
        if (!artifact.passed()) {
            ledger.addVerdict(cid, runId, Verdict.REJECTED, artifact.gate() + ": " + artifact.reason(), bestValue);
            return;
        }
        if (!measureNoise(opt, tier, cid, wt, env, bestValue)) return;
        double value = ledger.meanScore(cid, tier.name()).orElse(s.score().valBpb());
        int seeds = ledger.scores(cid, tier.name()).size();
        String seedNote = seeds > 1 ? String.format(" (mean of %d seeds)", seeds) : "";
        if (swarm != null) {
            decideInSwarm(opt, tier, cid, runId, value, seedNote);
            return;
        }
        if (bestValue == null) {
            ledger.addVerdict(cid, runId, Verdict.KEEP, String.format("first result on this branch: %s %.6f%s", task.metric().name(), value, seedNote), null);
            keep(opt, tier, cid);
            return;
        }
        KeepRule.Decision d = KeepRule.decide(task.loop().keepRule(), task.metric(), value, bestValue, task.loop().keepMargin(), task.loop().noiseK(),
                TierNoise.pooled(ledger.scoresPerCandidate(opt.tag(), tier.name())), dev.caddie.frontier.CurrentRecord.sota(task, ledger), task.loop().sotaFraction());
        ledger.addVerdict(cid, runId, d.keep() ? Verdict.KEEP : Verdict.DISCARD, d.reason() + seedNote, bestValue);
        if (d.keep()) keep(opt, tier, cid);
    }

    /**
     * The keep decision of a swarm worker, made under the tag's ledger-wide lock so that a tag has one best at any
     * instant: the best is read again there (another worker may have kept one while this candidate ran), and the
     * remote's caddie/TAG moves by compare-and-swap before the keep is recorded. A candidate proposed on an older
     * best is judged against the new one and, if kept, recorded as its sibling (it does not hold the other's change).
     */
    private void decideInSwarm(LoopOptions opt, Tier tier, long cid, long runId, double value, String seedNote) throws IOException {
        ledger.locked("keep:" + opt.tag(), () -> {
            Optional<Experiment> best = ledger.best(opt.tag(), task.metric().minimize());
            Double bestValue = best.map(this::score).orElse(null);
            var cand = ledger.candidate(cid).orElseThrow();
            String sibling = "";
            if (best.isPresent() && cand.parent() != null && !cand.parent().equals(best.get().candidate().commit()))
                sibling = String.format(java.util.Locale.ROOT, "; proposed on %s, and the best moved to candidate %d (%s) while it ran: judged against that one",
                        cand.parent().substring(0, 7), best.get().candidate().id(), best.get().candidate().commit().substring(0, 7));
            KeepRule.Decision d = bestValue == null ? null : KeepRule.decide(task.loop().keepRule(), task.metric(), value, bestValue, task.loop().keepMargin(),
                    task.loop().noiseK(), TierNoise.pooled(ledger.scoresPerCandidate(opt.tag(), tier.name())), dev.caddie.frontier.CurrentRecord.sota(task, ledger),
                    task.loop().sotaFraction());
            boolean keep = d == null || d.keep();
            String reason = d == null ? String.format("first result on this branch: %s %.6f%s", task.metric().name(), value, seedNote) : d.reason() + seedNote;
            if (keep) {
                String expected = swarm.remoteBranch(opt.tag());
                if (!swarm.advance(opt.tag(), expected, cand.commit())) {
                    ledger.addVerdict(cid, runId, Verdict.DISCARD, reason + sibling + "; but the remote's " + branch(opt.tag())
                            + " moved outside this swarm's ledger meanwhile, so it was not kept (fetch the remote and look)", bestValue);
                    return null;
                }
                if (!sibling.isEmpty()) sibling = sibling.replace("judged against that one", "kept as its sibling (it does not hold that one's change)");
            }
            ledger.addVerdict(cid, runId, keep ? Verdict.KEEP : Verdict.DISCARD, reason + sibling, bestValue);
            if (keep) keep(opt, tier, cid);
            return null;
        });
    }

    /** Whether this worker may run the tag's baseline: none is kept, and no other live worker is running one. */
    private boolean claimBaseline(String tag) throws IOException {
        return ledger.locked("keep:" + tag, () -> {
            String holder = ledger.meta("baseline:" + tag).orElse(null);
            if (holder != null && !holder.equals(swarm.name()) && ledger.workerAlive(holder)) return false;
            ledger.setMeta("baseline:" + tag, swarm.name());
            return true;
        });
    }

    /**
     * Before a swarm worker runs a new candidate: an earlier candidate of the tag with the same parent, the same
     * settings and the same files (made by another worker at the same moment, or proposed again) means this one is
     * not run twice; else its commit is pushed to the remote, so that no result is recorded for a commit no other
     * machine can see. False, with a rejected verdict, when it must not run.
     */
    private boolean published(long cid, Optional<Experiment> best) {
        var c = ledger.candidate(cid).orElseThrow();
        Double bestValue = best.map(this::score).orElse(null);
        for (var other : ledger.sameSettingsBefore(c)) {
            if (sameFiles(other, c)) {
                String by = ledger.candidateWorker(other.id());
                ledger.addVerdict(cid, null, Verdict.REJECTED, "the same change as candidate " + other.id() + (by == null ? "" : " (worker " + by + ")")
                        + " on the same parent: a swarm runs a change once", bestValue);
                return false;
            }
        }
        try {
            swarm.publish(cid, c.commit());
            return true;
        } catch (IOException e) {
            ledger.addVerdict(cid, null, Verdict.REJECTED, "its commit could not be pushed to [swarm] remote, so no other worker could see what ran: "
                    + e.getMessage(), bestValue);
            return false;
        }
    }

    /** Whether two candidates' commits hold the same files (the same commit, or equal trees once the other's is fetched). */
    private boolean sameFiles(dev.caddie.ledger.Candidate a, dev.caddie.ledger.Candidate b) {
        if (a.commit().equals(b.commit())) return true;
        try {
            swarm.fetchCandidate(a.id(), a.commit());
            return git.run("rev-parse", a.commit() + "^{tree}").strip().equals(git.run("rev-parse", b.commit() + "^{tree}").strip());
        } catch (IOException e) {
            return false; // not published yet, or gone: not known to be the same
        }
    }

    /** A queued candidate (a stopped worker's, requeued) is run here from its published commit, with its own settings. */
    private long runQueued(LoopOptions opt, Tier tier, Ledger.Claim claim) throws IOException, InterruptedException {
        var c = ledger.candidate(claim.candidateId()).orElseThrow();
        listener.note("candidate " + c.id() + " taken from the queue (" + claim.reason() + ")");
        swarm.doing("running queued candidate " + c.id() + " on " + tier.name());
        swarm.fetchCandidate(c.id(), c.commit());
        Path wt = ws.worktrees().resolve("wt-queued-" + c.id() + "-" + ProcessHandle.current().pid());
        Files.createDirectories(ws.worktrees());
        git.worktreeAdd(wt, c.commit());
        try {
            runCandidate(opt, tier, c.id(), wt, c.env(), ledger.best(opt.tag(), task.metric().minimize()));
            ledger.finishClaim(claim.id());
            report(opt.tag(), c.id());
            return c.id();
        } finally {
            maker.remove(wt);
        }
    }

    /**
     * Runs of this tag on the loop's tier that a killed Caddie left going on a remote machine are taken up: their
     * log is followed from where the ledger's copy ends and the candidate is judged as if nothing had happened.
     * What cannot be taken up is left to the ledger's recovery, which stops it and records it interrupted.
     */
    private void adoptOrphans(LoopOptions opt, Tier tier) throws IOException, InterruptedException {
        for (dev.caddie.ledger.RunRecord r : ledger.adoptable(opt.tag())) {
            if (stopping) return;
            if (!r.tier().equals(tier.name()) || !tier.executor().equals(r.executor())) continue;
            var c = ledger.candidate(r.candidateId()).orElseThrow();
            Path wt = new Workspace(task.workspace()).worktrees().resolve("adopt-run" + r.id());
            git.worktreeAdd(wt, c.commit());
            try {
                Double bestValue = ledger.best(opt.tag(), task.metric().minimize()).map(this::score).orElse(null);
                RecordedRuns.Recorded rec = recorder.adopt(r, tier, wt);
                if (rec == null) continue;
                judge(opt, tier, c.id(), wt, c.env(), bestValue, rec, null);
                report(opt.tag(), c.id());
            } finally {
                maker.remove(wt);
            }
        }
    }

    /** The branch advances, and a result from a cheaper tier is offered for promotion to the dear one. */
    private void keep(LoopOptions opt, Tier tier, long cid) throws IOException {
        git.branchForce(branch(opt.tag()), ledger.candidate(cid).orElseThrow().commit());
        Promoter.offer(task, ledger, listener, opt.tag(), tier, cid);
    }

    /**
     * Under the noise rule, the first scored candidate on a tier also runs with more seeds, so the tier's
     * seed-to-seed spread is known before anything is compared with it. Returns false if stopped meanwhile.
     */
    private boolean measureNoise(LoopOptions opt, Tier tier, long cid, Path wt, Map<String, String> env, Double bestValue)
            throws IOException, InterruptedException {
        if (!task.loop().keepRule().equals(KeepRule.NOISE) || TierNoise.pooled(ledger.scoresPerCandidate(opt.tag(), tier.name())) != null) return true;
        for (int extra = 1; ledger.scores(cid, tier.name()).size() < task.loop().noiseSeeds() && extra < 2 * task.loop().noiseSeeds(); extra++) {
            if (stopping) return false;
            listener.note("measuring " + tier.name() + "'s seed noise: seed " + (opt.seed() + extra));
            RecordedRuns.Recorded r = recorder.execute(cid, tier, env, wt, opt.seed() + extra);
            if (r.outcome().status() == RunStatus.INTERRUPTED) {
                ledger.addVerdict(cid, r.runId(), Verdict.INTERRUPTED, "interrupted (Ctrl-C or stop)", bestValue);
                return false;
            }
        }
        return true;
    }

    private void report(String tag, long cid) {
        List<Experiment> all = ledger.experiments(tag);
        all.stream().filter(e -> e.candidate().id() == cid).findFirst().ifPresent(e -> listener.finished(e, all));
    }

    /** A candidate's score: the mean over its seeds on the tier of its latest run. */
    private double score(Experiment e) {
        return ledger.meanScore(e.candidate().id(), e.run().tier()).orElse(e.run().valBpb());
    }

    /** A candidate that ran and was judged on its score; crashes and gate rejections count as failures. */
    private static boolean scored(Experiment e) {
        String v = e.verdict().verdict();
        return e.run() != null && e.run().valBpb() != null && (v.equals(Verdict.KEEP) || v.equals(Verdict.DISCARD));
    }

}
