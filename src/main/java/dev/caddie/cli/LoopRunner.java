package dev.caddie.cli;

import dev.caddie.agent.AgentProposer;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.ExperimentLoop;
import dev.caddie.loop.LoopLock;
import dev.caddie.loop.LoopOptions;
import dev.caddie.loop.Tournament;
import dev.caddie.loop.Workspace;
import dev.caddie.run.Git;
import dev.caddie.run.Executors;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposer;
import dev.caddie.search.SearchProposer;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.Tier;

import java.time.Duration;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;

/** What `caddie run`, `caddie tournament` and `caddie demo` share: open the ledger, pick the tag, run with Ctrl-C handled. */
final class LoopRunner {
    private LoopRunner() {}

    static Proposer proposer(String name, long seed) {
        if (name.equals("search")) return new SearchProposer(seed);
        throw new IllegalArgumentException("unknown proposer '" + name + "'; accepted: search, agent:NAME (an [agent.NAME] in caddie.toml)");
    }

    /** search, or agent:NAME for the coding agent configured as [agent.NAME] (sandboxed unless told otherwise). */
    static Proposer proposer(String name, long seed, TaskSpec task, Ledger ledger, boolean unsandboxed) {
        if (!name.startsWith("agent:")) return proposer(name, seed);
        Workspace ws = new Workspace(task.workspace());
        return new AgentProposer(task.agent(name.substring("agent:".length())), ledger, !unsandboxed, ws.caddieDir().resolve("agents"));
    }

    /** The tag given, else the one this ledger used last (so `caddie run` resumes), else today's (e.g. nov24). */
    static String tag(Ledger ledger, String given) {
        String tag = given != null ? given : ledger.meta("tag").orElseGet(() -> {
            LocalDate d = LocalDate.now();
            return d.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT).toLowerCase(Locale.ROOT) + d.getDayOfMonth();
        });
        // A tag names the branch caddie/TAG: refused here in git's own terms too (no "..", no ".lock" ending, not an option).
        if (!tag.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}") || tag.contains("..") || tag.endsWith(".lock") || tag.endsWith("."))
            throw new IllegalArgumentException("tag '" + tag + "' must start with a letter or digit and hold only letters, digits, '.', '_' or '-' "
                    + "(at most 100, no '..', not ending in '.' or '.lock'), e.g. dec6 or lr-sweep");
        ledger.setMeta("tag", tag);
        return tag;
    }

    /** The tag given, else the one the ledger used last; commands that read results need one to exist. */
    static String existingTag(Ledger ledger, String given) {
        if (given != null) return given;
        return ledger.meta("tag").orElseThrow(() -> new IllegalArgumentException("no experiments yet; run `caddie run` first (or pass --tag)"));
    }

    /**
     * A tournament on the given tier (default: the loop's) with the built-in search, Ctrl-C handled like the
     * loop's: the current run is recorded as interrupted and the other candidates get their verdicts.
     */
    static Tournament.Result tournament(TaskSpec task, Tournament.Settings settings, String tierName, String tagGiven, long seed) throws Exception {
        Workspace ws = new Workspace(task.workspace());
        try (LoopLock lock = LoopLock.acquire(ws); Ledger ledger = Ledger.open(task.ledgerUrl())) {
            String tag = tag(ledger, tagGiven);
            Git git = new Git(task.workspace());
            if (!git.refExists(ExperimentLoop.branch(tag))) git.branchForce(ExperimentLoop.branch(tag), git.revParse("HEAD"));
            Tier tier = task.tier(tierName != null ? tierName : task.loop().tier());
            Tournament t = new Tournament(task, ledger, new Runner(Executors.of(task)), proposer("search", seed), new TerminalConsole(System.out));
            Thread hook = new Thread(() -> {
                System.out.println("\ncaddie: stopping the tournament; the current run is recorded as interrupted");
                t.stop(Duration.ofSeconds(20));
            });
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println("tag " + tag + " (branch " + ExperimentLoop.branch(tag) + "), tournament up to tier " + tier.name() + ", ledger " + ledger.where());
            try {
                Tournament.Result r = t.run(tag, tier, settings, seed);
                System.out.println(r.winner() == null ? "no candidate finished the last rung" : "winner: candidate " + r.winner());
                System.out.printf(Locale.ROOT, "compute spent: %.2f full runs, %.0f s of runs%n", r.spentFullRunEquivalents(), r.spentSeconds());
                reportHalt(r.halted());
                return r;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // already stopping; the hook finishes the job
                }
            }
        }
    }

    /** The experiments of the tag, and why the loop stopped on its own (null when it ran to its limits or was stopped). */
    record Outcome(List<Experiment> experiments, String halted) {
        /** Prints why the loop stopped, if it did so on its own; the exit code a command returns. */
        int report() { return reportHalt(halted); }
    }

    /** Why a loop or tournament stopped on its own, on stderr; the exit code: 1 when it did, else 0. */
    static int reportHalt(String halted) {
        if (halted == null) return 0;
        System.err.println("caddie: stopped: " + halted);
        return 1;
    }

    /** --experiments and --hours as given: a count of at least 1 and a positive, finite number of hours. */
    static void checkLimits(Integer experiments, Double hours) {
        if (experiments != null && experiments < 1)
            throw new IllegalArgumentException("--experiments must be at least 1, got " + experiments + " (leave it out for no limit)");
        if (hours != null && !(hours > 0 && hours < 1e6))
            throw new IllegalArgumentException("--hours must be a positive number of hours such as 0.5 or 8, got " + hours + " (leave it out for no limit)");
    }

    static Outcome run(TaskSpec task, String proposerName, LoopOptions base, String tagGiven) throws Exception {
        return run(task, proposerName, base, tagGiven, false);
    }

    static Outcome run(TaskSpec task, String proposerName, LoopOptions base, String tagGiven, boolean unsandboxed) throws Exception {
        return run(task, proposerName, base, tagGiven, unsandboxed, null);
    }

    /**
     * The loop, alone or (workerName given) as one worker of a swarm on the task's shared ledger. A worker's search
     * is seeded from its name as well, so eight workers do not propose the same eight candidates.
     */
    static Outcome run(TaskSpec task, String proposerName, LoopOptions base, String tagGiven, boolean unsandboxed, String workerName) throws Exception {
        checkLimits(base.experiments(), base.hours());
        Workspace ws = new Workspace(task.workspace());
        try (LoopLock lock = LoopLock.acquire(ws); Ledger ledger = Ledger.open(task.ledgerUrl())) {
            String tag = tag(ledger, tagGiven);
            LoopOptions opt = new LoopOptions(tag, base.experiments(), base.hours(), base.tier() == null ? task.loop().tier() : base.tier(), base.seed());
            TerminalConsole console = new TerminalConsole(System.out);
            long proposerSeed = workerName == null ? base.seed() : base.seed() * 31 + workerName.hashCode();
            ExperimentLoop loop = new ExperimentLoop(task, ledger, new Runner(Executors.of(task)), proposer(proposerName, proposerSeed, task, ledger, unsandboxed), console);
            dev.caddie.loop.SwarmWorker worker = workerName == null ? null : dev.caddie.loop.SwarmWorker.join(task, ledger, workerName, proposerName, opt.tier());
            if (worker != null) {
                loop.inSwarm(worker);
                System.out.println("worker " + workerName + " joined the swarm on " + ledger.where() + (task.swarm().remote() == null ? "" : ", remote " + task.swarm().remote()));
            }
            try {
                return runLoop(loop, opt, tag, ledger, worker == null ? () -> {} : worker::close);
            } finally {
                if (worker != null) worker.close();
            }
        }
    }

    /** Runs the loop with Ctrl-C handled: the current run is recorded as interrupted, then `afterStop` (a worker leaves the swarm). */
    private static Outcome runLoop(ExperimentLoop loop, LoopOptions opt, String tag, Ledger ledger, Runnable afterStop) throws Exception {
        Thread hook = new Thread(() -> {
            System.out.println("\ncaddie: stopping; the current run is recorded as interrupted (run `caddie run` again to resume tag " + tag + ")");
            loop.stop(Duration.ofSeconds(20));
            afterStop.run();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("tag " + tag + " (branch " + ExperimentLoop.branch(tag) + "), tier " + opt.tier() + ", ledger " + ledger.where());
        try {
            List<Experiment> all = loop.run(opt);
            return new Outcome(all, loop.halted().orElse(null));
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already stopping; the hook finishes the job
            }
        }
    }
}
