package dev.caddie.loop;

import dev.caddie.ledger.Ledger;
import dev.caddie.run.Git;
import dev.caddie.task.SwarmSettings;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One worker of a swarm: many loops, on many machines, sharing one ledger and one git remote. It says it is alive
 * on a timer (a worker silent past [swarm] claim_timeout is taken for dead and its work requeued), publishes every
 * candidate's commit to the remote before running it, so that any machine can show or rerun it, and moves the
 * remote's caddie/TAG branch only by compare-and-swap.
 */
public final class SwarmWorker implements AutoCloseable {
    /** Where candidate commits live on the remote: one ref per candidate, so none is ever garbage-collected. */
    public static String candidateRef(long cid) { return "refs/caddie/candidates/" + cid; }

    private final Ledger ledger;
    private final Git git;
    private final String name;
    private final String remote;
    private final ScheduledExecutorService beat;
    private volatile String doing = "starting";

    private SwarmWorker(Ledger ledger, Git git, String name, String remote, long heartbeatSec) {
        this.ledger = ledger;
        this.git = git;
        this.name = name;
        this.remote = remote;
        this.beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caddie-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beat.scheduleAtFixedRate(() -> {
            try {
                ledger.workerHeartbeat(doing);
            } catch (RuntimeException e) {
                System.err.println("caddie: heartbeat failed (" + e.getMessage() + "); trying again in " + heartbeatSec + " s");
            }
        }, heartbeatSec, heartbeatSec, TimeUnit.SECONDS);
    }

    /**
     * Joins the swarm as `name`. The ledger must be shared ([ledger] url): workers with a ledger each would not
     * be a swarm, only several loops that cannot see each other.
     */
    public static SwarmWorker join(TaskSpec task, Ledger ledger, String name, String proposer, String tier) throws IOException {
        if (!task.ledger().shared())
            throw new IllegalArgumentException("a swarm shares one ledger, and caddie.toml names none: set [ledger] url = \"jdbc:postgresql://HOST:PORT/DB\" "
                    + "(or jdbc:sqlite:/path/shared.db for workers on one machine); `caddie ledger migrate --to URL` copies this workspace's ledger there first");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"))
            throw new IllegalArgumentException("--name '" + name + "' is not a worker name; accepted: letters, digits, '.', '_' and '-', at most 64");
        SwarmSettings s = task.swarm();
        Git git = new Git(task.workspace());
        if (s.remote() != null) {
            try {
                git.run("ls-remote", "--heads", s.remote());
            } catch (IOException e) {
                throw new IllegalArgumentException("[swarm] remote " + s.remote() + " cannot be reached: " + e.getMessage());
            }
        }
        ledger.joinSwarm(name, proposer, tier, s.claimTimeoutSec() * 1000);
        return new SwarmWorker(ledger, git, name, s.remote(), s.heartbeatSec());
    }

    public String name() { return name; }

    public boolean hasRemote() { return remote != null; }

    /** What the worker is doing now, shown by `swarm status` (written at once and with every heartbeat). */
    public void doing(String what) {
        doing = what;
        ledger.workerHeartbeat(what);
    }

    /** Pushes a candidate's commit to the remote before it runs: a result is never recorded for a commit no one else can see. */
    public void publish(long cid, String commit) throws IOException {
        if (remote != null) git.run("push", "-q", remote, commit + ":" + candidateRef(cid));
    }

    /** Makes a candidate's commit present here (it may have been made on another machine). */
    public void fetchCandidate(long cid, String commit) throws IOException { ensureCommit(git, remote, cid, commit); }

    /**
     * Makes a candidate's commit present in a repository, fetching it from the swarm's remote (where every worker
     * publishes its candidates) when it was made on another machine: what `caddie verify` and the dashboard need too.
     */
    public static void ensureCommit(Git git, String remote, long cid, String commit) throws IOException {
        if (hasCommit(git, commit)) return;
        if (remote == null)
            throw new IOException("candidate " + cid + "'s commit " + commit.substring(0, Math.min(7, commit.length())) + " is not in this repository and [swarm] remote is not set");
        git.run("fetch", "-q", remote, candidateRef(cid));
        if (!hasCommit(git, commit)) throw new IOException("the remote's " + candidateRef(cid) + " does not hold commit " + commit);
    }

    private static boolean hasCommit(Git git, String commit) {
        try {
            git.run("cat-file", "-e", commit + "^{commit}");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The commit the remote's caddie/TAG branch points at (fetched here), or null when it has none. */
    public String remoteBranch(String tag) throws IOException {
        if (remote == null) return null;
        String line = git.run("ls-remote", remote, "refs/heads/" + ExperimentLoop.branch(tag)).strip();
        if (line.isEmpty()) return null;
        String sha = line.split("\\s+")[0];
        if (!hasCommit(git, sha)) git.run("fetch", "-q", remote, "refs/heads/" + ExperimentLoop.branch(tag));
        return sha;
    }

    /**
     * Moves the remote's caddie/TAG from `expected` (null: it must not exist yet) to `commit`, only if it still is
     * there: two keeps can never both win, and a push from outside the swarm is never overwritten.
     */
    public boolean advance(String tag, String expected, String commit) throws IOException {
        if (remote == null) return true;
        String ref = "refs/heads/" + ExperimentLoop.branch(tag);
        try {
            git.run("push", "-q", "--force-with-lease=" + ref + ":" + (expected == null ? "" : expected), remote, commit + ":" + ref);
            return true;
        } catch (Git.GitException e) {
            if (e.getMessage().contains("stale info") || e.getMessage().contains("rejected")) return false;
            throw e;
        }
    }

    @Override
    public void close() {
        beat.shutdownNow();
        try {
            ledger.leaveSwarm("stopped");
        } catch (RuntimeException e) {
            System.err.println("caddie: could not record that worker " + name + " stopped (" + e.getMessage() + "); the others will know by its silence");
        }
    }
}
