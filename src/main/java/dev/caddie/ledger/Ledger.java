package dev.caddie.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The durable record of everything: candidates, runs, gate results and verdicts, in embedded SQLite
 * (WAL, versioned migrations). Every write commits at once, so a Caddie killed at any moment loses no
 * finished step.
 */
public final class Ledger implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CANDIDATE_COLUMNS = 12, RUN_COLUMNS = 28; // the join in experiments() reads by position
    private final Connection c;
    private final LedgerUrl url;
    private final Dialect dialect;
    /** The swarm worker this process is (null outside a swarm): written on its candidates, runs and reservations. */
    private volatile String worker;
    private volatile long claimTimeoutMs = 15 * 60_000L;

    private Ledger(Connection c, LedgerUrl url) {
        this.c = c;
        this.url = url;
        this.dialect = url.dialect();
    }

    /** Opens (creating if needed) the ledger file and brings its schema up to date. */
    public static Ledger open(Path dbFile) throws IOException { return open(LedgerUrl.sqlite(dbFile)); }

    /**
     * Opens a ledger wherever it lives (an SQLite file, or a PostgreSQL database a swarm shares) and brings its
     * schema up to date; the same migrations run on both.
     */
    public static Ledger open(LedgerUrl url) throws IOException {
        if (url.file() != null) Files.createDirectories(url.file().toAbsolutePath().getParent());
        try {
            Connection c = url.user() == null ? DriverManager.getConnection(url.jdbc()) : DriverManager.getConnection(url.jdbc(), url.user(), url.password());
            try {
                if (url.dialect() == Dialect.SQLITE) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA journal_mode=WAL");
                        s.execute("PRAGMA synchronous=NORMAL");
                        s.execute("PRAGMA busy_timeout=10000");
                        s.execute("PRAGMA foreign_keys=ON");
                    }
                }
                Migrations.migrate(c, url.dialect());
            } catch (SQLException e) {
                c.close(); // a ledger too new for this Caddie, or locked: leave no connection holding the file
                throw e;
            }
            return new Ledger(c, url);
        } catch (SQLException e) {
            throw new IOException(url.display() + ": cannot open the ledger: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the ledger for commands that only read it. Where the ledger or its folder cannot be written (a
     * read-only mount, a copy handed over), SQLite's WAL mode cannot open it normally, so it is read as an
     * immutable file: a reader must not need write access to look at the record.
     */
    public static Ledger openForReading(Path dbFile) throws IOException {
        Path dir = dbFile.toAbsolutePath().getParent();
        if (Files.isWritable(dbFile) && Files.isWritable(dir)) return open(dbFile);
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + dbFile.toAbsolutePath() + "?immutable=1");
            try {
                Migrations.requireCurrent(c, Dialect.SQLITE);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return new Ledger(c, LedgerUrl.sqlite(dbFile));
        } catch (SQLException e) {
            throw new IOException(dbFile + ": cannot read the ledger: " + e.getMessage(), e);
        }
    }

    /** The SQLite file, or null when the ledger is on a database server. */
    public Path file() { return url.file(); }

    /** Where the ledger lives, for messages: its file, or its url without the password. */
    public String where() { return url.display(); }

    public LedgerUrl url() { return url; }

    public Dialect dialect() { return dialect; }

    /** For LedgerCopy, which reads and writes every table as it is. */
    Connection connection() { return c; }

    /** The frontier index (the challenge repository's submissions), kept in the same file. */
    public FrontierStore frontier() { return new FrontierStore(this, c); }

    /** Research findings and their sources' cursors, kept in the same file. */
    public FindingStore findings() { return new FindingStore(this, c); }

    // ---------------------------------------------------------------- meta

    public Optional<String> meta(String key) {
        return query("SELECT value FROM meta WHERE key=?", rs -> rs.getString(1), key).stream().findFirst();
    }

    public void setMeta(String key, String value) {
        update("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", key, value);
    }

    // ---------------------------------------------------------------- writes

    public long addCandidate(String tag, String commit, String parent, String proposer, String description,
                             Map<String, String> env, int filesChanged, int linesAdded, int linesRemoved) {
        return insert("INSERT INTO candidates(tag, commit_sha, parent_sha, proposer, description, env_json, files_changed, lines_added, lines_removed, created_at, worker) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                tag, commit, parent, proposer, description, toJson(env), filesChanged, linesAdded, linesRemoved, now(), worker);
    }

    /** An agent's stated hypothesis for a candidate, with what its run cost in tokens and dollars when the CLI said. */
    public long addHypothesis(long candidateId, Hypothesis h) {
        return insert("INSERT INTO hypotheses(candidate_id, agent, hypothesis, predicted_delta, basis, risk, input_tokens, output_tokens, cost_usd, transcript_path, created_at) "
                        + "VALUES(?,?,?,?,?,?,?,?,?,?,?)", candidateId, h.agent(), h.hypothesis(), h.predictedDelta(), h.basis(), h.risk(),
                h.inputTokens(), h.outputTokens(), h.costUsd(), h.transcriptPath(), now());
    }

    /** Every hypothesis of a tag with its candidate's outcome (the verdict and the gain it measured), oldest first. */
    public List<Hypothesis.Outcome> hypotheses(String tag) {
        List<Hypothesis.Outcome> out = new ArrayList<>();
        for (Experiment e : experiments(tag)) {
            List<Hypothesis> hs = query("SELECT * FROM hypotheses WHERE candidate_id=? ORDER BY id", Ledger::hypothesisRow, e.candidate().id());
            for (Hypothesis h : hs) out.add(new Hypothesis.Outcome(e, h));
        }
        return out;
    }

    private static Hypothesis hypothesisRow(java.sql.ResultSet rs) throws SQLException {
        return new Hypothesis(rs.getString("agent"), rs.getString("hypothesis"), (Double) rs.getObject("predicted_delta") == null ? null : rs.getDouble("predicted_delta"),
                rs.getString("basis"), rs.getString("risk"), rs.getObject("input_tokens") == null ? null : rs.getLong("input_tokens"),
                rs.getObject("output_tokens") == null ? null : rs.getLong("output_tokens"), rs.getObject("cost_usd") == null ? null : rs.getDouble("cost_usd"),
                rs.getString("transcript_path"));
    }

    /** Posts a message once: a second post with the same dedup key returns the first one's id. A result closes its request. */
    public synchronized Message.Posted postMessage(String kind, String sender, String body, String dedupKey, Long requestId) {
        if (!Message.KINDS.contains(kind)) throw new IllegalArgumentException("message kind '" + kind + "' is not one; accepted: " + Message.KINDS);
        List<Long> existing = query("SELECT id FROM messages WHERE dedup_key=?", rs -> rs.getLong(1), dedupKey);
        if (!existing.isEmpty()) return new Message.Posted(existing.get(0), true);
        if (requestId != null && query("SELECT id FROM messages WHERE id=? AND kind='research_request'", rs -> rs.getLong(1), requestId).isEmpty())
            throw new IllegalArgumentException("request " + requestId + " is not a research request in this ledger");
        long id = insert("INSERT INTO messages(kind, sender, body, dedup_key, request_id, state, created_at) VALUES(?,?,?,?,?,?,?)",
                kind, sender, body, dedupKey, requestId, Message.OPEN, now());
        if (requestId != null) update("UPDATE messages SET state=?, fulfilled_at=? WHERE id=? AND state=?", Message.FULFILLED, now(), requestId, Message.OPEN);
        return new Message.Posted(id, false);
    }

    /** Records that a consumer has read a message; acknowledging twice changes nothing. */
    public synchronized boolean ack(long messageId, String consumer) {
        if (query("SELECT id FROM messages WHERE id=?", rs -> rs.getLong(1), messageId).isEmpty())
            throw new IllegalArgumentException("no message " + messageId + " in the ledger");
        if (!query("SELECT 1 FROM acks WHERE message_id=? AND consumer=?", rs -> rs.getInt(1), messageId, consumer).isEmpty()) return false;
        insert("INSERT INTO acks(message_id, consumer, acked_at) VALUES(?,?,?)", messageId, consumer, now());
        return true;
    }

    /** Messages, oldest first; kind null for all. */
    public List<Message> messages(String kind) {
        List<Message> out = new ArrayList<>();
        for (Object[] r : query("SELECT id, kind, sender, body, request_id, state, created_at FROM messages " + (kind == null ? "" : "WHERE kind=? ") + "ORDER BY id",
                rs -> new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getObject(5) == null ? null : rs.getLong(5), rs.getString(6), rs.getString(7)},
                kind == null ? new Object[0] : new Object[]{kind})) {
            List<String> acked = query("SELECT consumer FROM acks WHERE message_id=? ORDER BY consumer", rs -> rs.getString(1), r[0]);
            out.add(new Message((long) r[0], (String) r[1], (String) r[2], (String) r[3], (Long) r[4], (String) r[5], (String) r[6], acked));
        }
        return out;
    }

    /** A supervised role as the ledger last saw it. */
    public record Role(String name, Long pid, String pidStartedAt, int attempts, String state, String reason, String heartbeatAt) {}

    public synchronized void setRole(String name, Long pid, String pidStartedAt, int attempts, String state, String reason) {
        update("INSERT INTO roles(name, pid, pid_started_at, attempts, state, reason, updated_at) VALUES(?,?,?,?,?,?,?) "
                        + "ON CONFLICT(name) DO UPDATE SET pid=excluded.pid, pid_started_at=excluded.pid_started_at, attempts=excluded.attempts, "
                        + "state=excluded.state, reason=excluded.reason, updated_at=excluded.updated_at",
                name, pid, pidStartedAt, attempts, state, reason, now());
    }

    public void heartbeat(String name) { update("UPDATE roles SET heartbeat_at=? WHERE name=?", now(), name); }

    public List<Role> roles() {
        return query("SELECT name, pid, pid_started_at, attempts, state, reason, heartbeat_at FROM roles ORDER BY name",
                rs -> new Role(rs.getString(1), rs.getObject(2) == null ? null : rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6), rs.getString(7)));
    }

    /** Records a run as started by this process, before its command starts. */
    public long startRun(long candidateId, String tier, long seed, String executor, String logPath) {
        return insert("INSERT INTO runs(candidate_id, tier, seed, executor, status, owner_pid, started_at, log_path, worker) VALUES(?,?,?,?,?,?,?,?,?)",
                candidateId, tier, seed, executor, "running", ProcessHandle.current().pid(), now(), logPath, worker);
    }

    /** Records the compute an aborted run did not spend. */
    public void setSaved(long runId, long savedMs) { update("UPDATE runs SET saved_ms=? WHERE id=?", savedMs, runId); }

    /** Milliseconds of compute saved by early aborts on a tag. */
    public long savedMs(String tag) {
        return query("SELECT COALESCE(SUM(r.saved_ms), 0) FROM runs r JOIN candidates c ON c.id = r.candidate_id WHERE c.tag=?",
                rs -> rs.getLong(1), tag).get(0);
    }

    public void setRunLog(long runId, String logPath) { update("UPDATE runs SET log_path=? WHERE id=?", logPath, runId); }

    /** Records the run's process, so a later Caddie can stop it if this one dies. */
    public void runProcess(long runId, long pid, String pidStartedAt) {
        update("UPDATE runs SET pid=?, pid_started_at=? WHERE id=?", pid, pidStartedAt, runId);
    }

    /** The handles of remote runs the ledger shows as going. */
    public java.util.Set<String> liveRemotes() {
        return new java.util.HashSet<>(query("SELECT remote FROM runs WHERE status='running' AND remote IS NOT NULL", rs -> rs.getString(1)));
    }

    /**
     * Remote runs of a tag that a dead Caddie left going, whose candidates still wait for their verdict: the ones
     * the next loop can take up instead of stopping.
     */
    public synchronized List<RunRecord> adoptable(String tag) {
        List<RunRecord> out = new ArrayList<>();
        record Owned(RunRecord run, Long owner) {}
        List<Owned> rows = query("SELECT r.*, r.owner_pid FROM runs r JOIN candidates c ON c.id = r.candidate_id WHERE c.tag=? AND r.status='running' "
                + "AND r.remote IS NOT NULL AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.candidate_id = r.candidate_id) ORDER BY r.id",
                rs -> new Owned(runRow(rs), lng(rs, RUN_COLUMNS + 1)), tag);
        for (Owned o : rows)
            if (o.owner() == null || o.owner() != ProcessHandle.current().pid() && !processAlive(o.owner())) out.add(o.run());
        return out;
    }

    /** This process takes a run over (it adopted it): a later start sees a live owner and leaves it alone. */
    public void adoptRun(long runId) { update("UPDATE runs SET owner_pid=? WHERE id=?", ProcessHandle.current().pid(), runId); }

    /** Records where a remote run lives (the executor's handle), so a later Caddie can stop it if this one dies. */
    public void runRemote(long runId, String remote) { update("UPDATE runs SET remote=? WHERE id=?", remote, runId); }

    public void finishRun(long runId, RunFinish f) {
        update("""
                UPDATE runs SET status=?, ended_at=?, duration_ms=?, exit_code=?, log_sha256=?, score_name=?, val_bpb=?, val_loss=?,
                  artifact_bytes=?, code_bytes=?, train_time_ms=?, stop_step=?, peak_mem_mib=?, error=?, cost_usd=? WHERE id=?""",
                f.status(), now(), f.durationMs(), f.exitCode(), f.logSha256(), f.scoreName(), f.valBpb(), f.valLoss(),
                f.artifactBytes(), f.codeBytes(), f.trainTimeMs(), f.stopStep(), f.peakMemMib(), f.error(), f.costUsd(), runId);
    }

    /** The fields written when a run ends. */
    public record RunFinish(String status, long durationMs, Integer exitCode, String logSha256, String scoreName, Double valBpb,
                            Double valLoss, Long artifactBytes, Long codeBytes, Long trainTimeMs, Integer stopStep,
                            Long peakMemMib, String error, Double costUsd) {}

    public void addGateResult(long candidateId, Long runId, String gate, boolean passed, String reason) {
        insert("INSERT INTO gate_results(candidate_id, run_id, gate, passed, reason, created_at) VALUES(?,?,?,?,?,?)",
                candidateId, runId, gate, passed ? 1 : 0, reason, now());
    }

    public void addVerdict(long candidateId, Long runId, String verdict, String reason, Double bestBefore) {
        insert("INSERT INTO verdicts(candidate_id, run_id, verdict, reason, best_before, created_at) VALUES(?,?,?,?,?,?)",
                candidateId, runId, verdict, reason, bestBefore, now());
    }

    /**
     * Finds runs left "running" by a Caddie process that no longer exists, stops what is left of their
     * processes, and marks them interrupted (with an interrupted verdict if the candidate had none).
     *
     * @return the ids of the runs recovered
     */
    public List<Long> recoverInterrupted() { return recoverInterrupted(null); }

    /**
     * As above, with remote runs stopped through their executors: a run on an SSH host or a Slurm job a dead Caddie
     * left going is ended there (it would otherwise hold the GPUs and bill on), and its cost settled.
     *
     * @param executors the task's executors, or null where only local runs can exist
     */
    public List<Long> recoverInterrupted(dev.caddie.run.Executors executors) {
        List<Long> recovered = new ArrayList<>();
        record Stale(long id, long candidate, Long owner, Long pid, String pidStart, String executor, String remote, String worker) {}
        List<Stale> stale = query("SELECT id, candidate_id, owner_pid, pid, pid_started_at, executor, remote, worker FROM runs WHERE status='running'",
                rs -> new Stale(rs.getLong(1), rs.getLong(2), lng(rs, 3), lng(rs, 4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
        for (Stale s : stale) {
            if (ownerAlive(s.owner(), s.worker())) continue; // this process, or another live Caddie, owns it
            String stopped = "its processes were stopped";
            if (s.remote() != null) {
                stopped = stopRemote(executors, s.executor(), s.remote());
                if (stopped == null) continue; // unreachable now: left running in the ledger, so the next start tries again
            } else if (s.pid() != null && onThisHost(s.worker())) dev.caddie.run.ProcessTree.killIfSame(s.pid(), s.pidStart());
            else if (s.pid() != null) stopped = "it ran on " + workerHost(s.worker()) + ", which this Caddie cannot reach; if it still runs there, stop pid " + s.pid();
            String who = s.worker() == null ? "the Caddie process that started this run (pid " + s.owner() + ") died"
                    : "worker " + s.worker() + " stopped heartbeating (claim timeout " + claimTimeoutMs / 1000 + " s) or died";
            update("UPDATE runs SET status='interrupted', ended_at=?, error=? WHERE id=?", now(), who + "; " + stopped, s.id());
            boolean judged = !query("SELECT 1 FROM verdicts WHERE candidate_id=?", rs -> 1, s.candidate()).isEmpty();
            if (!judged && s.worker() != null) requeue(s.candidate(), "requeued: " + who + " while running it");
            else if (!judged) addVerdict(s.candidate(), s.id(), Verdict.INTERRUPTED, "Caddie stopped while the run was going", null);
            recovered.add(s.id());
        }
        // claims of dead workers that had not started a run yet go back to the queue too
        for (Object[] q : query("SELECT id, worker FROM work_queue WHERE state='claimed'", rs -> new Object[]{rs.getLong(1), rs.getString(2)}))
            if (!ownerAlive(null, (String) q[1]))
                update("UPDATE work_queue SET state='queued', worker=NULL, claimed_at=NULL, reason=reason || ? WHERE id=? AND state='claimed'",
                        "; released from " + q[1] + ", which stopped", q[0]);
        recoverReservations();
        return recovered;
    }

    /**
     * Reservations held by a Caddie that died: settled at what their run really cost until it was stopped
     * (the machine was paid for all along), or released if the run never started; a promotion it was
     * running goes back to the queue. Nothing is lost and nothing is counted twice.
     */
    private void recoverReservations() {
        record Held(Reservation r, String worker) {}
        for (Held h : query("SELECT *, worker FROM reservations WHERE state='held'", rs -> new Held(reservationRow(rs), rs.getString("worker")))) {
            Reservation r = h.r();
            if (r.ownerPid() == null || ownerAlive(r.ownerPid(), h.worker())) continue;
            Optional<RunRecord> run = r.runId() == null ? Optional.empty() : run(r.runId());
            if (run.isPresent() && run.get().startedAt() != null) {
                String end = run.get().endedAt() != null ? run.get().endedAt() : now();
                double hours = java.time.Duration.between(Instant.parse(run.get().startedAt()), Instant.parse(end)).toMillis() / 3_600_000.0;
                settle(r.id(), Math.min(r.amountUsd(), hours * r.ratePerHour()));
                update("UPDATE runs SET cost_usd=? WHERE id=? AND cost_usd IS NULL", Math.min(r.amountUsd(), hours * r.ratePerHour()), r.runId());
            } else release(r.id(), "the Caddie holding it died before the run started");
            update("UPDATE promotions SET state='queued', reason=?, updated_at=? WHERE candidate_id=? AND tier=? AND state='running'",
                    "requeued: the Caddie running it died", now(), r.candidateId(), r.tier());
        }
    }

    /** Stops a remote orphan; says how, or null when its machine cannot be reached now. */
    private static String stopRemote(dev.caddie.run.Executors executors, String executor, String remote) {
        if (executors == null) return "it ran on " + executor + ", which this command cannot reach; it was not stopped";
        try {
            executors.get(executor).stopOrphan(remote);
            return "it was stopped on " + executor;
        } catch (IllegalArgumentException e) {
            return "it ran on " + executor + ", which caddie.toml no longer defines; stop it by hand (" + remote + ")";
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static boolean processAlive(long pid) { return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); }

    // ---------------------------------------------------------------- swarm

    /** This machine's name, as workers record it: a pid is only meaningful on the machine it came from. */
    public static final String HOST = hostName();

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h.strip();
        try {
            return Files.readString(Path.of("/etc/hostname")).strip();
        } catch (IOException e) {
            try { return java.net.InetAddress.getLocalHost().getHostName(); } catch (IOException e2) { return "localhost"; }
        }
    }

    /** A worker as the ledger last heard from it. */
    public record Worker(String name, String host, Long pid, String state, String doing, String proposer, String tier, String startedAt,
                         String heartbeatAt, String stoppedAt) {
        /** Seconds since its last heartbeat, by this machine's clock. */
        public long silentSeconds() { return java.time.Duration.between(Instant.parse(heartbeatAt), Instant.now()).toSeconds(); }
    }

    /**
     * This process becomes swarm worker `name`: what it records from now on carries the name, and other machines
     * judge whether it lives by its heartbeats. A name another live worker holds is refused, so two machines can
     * never both be W.
     */
    public synchronized void joinSwarm(String name, String proposer, String tier, long claimTimeoutMs) {
        this.claimTimeoutMs = claimTimeoutMs;
        Optional<Worker> had = worker(name);
        if (had.isPresent() && !had.get().state().equals("stopped") && workerAlive(had.get()) && !(had.get().host().equals(HOST)
                && had.get().pid() != null && had.get().pid() == ProcessHandle.current().pid()))
            throw new IllegalArgumentException("worker " + name + " is already running on " + had.get().host() + " (pid " + had.get().pid() + ", last heartbeat "
                    + had.get().silentSeconds() + " s ago); give this one another --name");
        String t = now();
        update("INSERT INTO workers(name, host, pid, state, doing, proposer, tier, started_at, heartbeat_at) VALUES(?,?,?,?,?,?,?,?,?) "
                        + "ON CONFLICT(name) DO UPDATE SET host=excluded.host, pid=excluded.pid, state=excluded.state, doing=excluded.doing, "
                        + "proposer=excluded.proposer, tier=excluded.tier, started_at=excluded.started_at, heartbeat_at=excluded.heartbeat_at, stopped_at=NULL",
                name, HOST, ProcessHandle.current().pid(), "running", "starting", proposer, tier, t, t);
        this.worker = name;
    }

    /** For a reader of the swarm (status, the dashboard): the claim timeout by which workers are judged alive. */
    public void joinTimeout(long claimTimeoutMs) { this.claimTimeoutMs = claimTimeoutMs; }

    /** The worker this process is, or null. */
    public String workerName() { return worker; }

    public void workerHeartbeat(String doing) {
        String w = worker;
        if (w != null) update("UPDATE workers SET heartbeat_at=?, doing=COALESCE(?, doing) WHERE name=?", now(), doing, w);
    }

    public void leaveSwarm(String why) {
        String w = worker;
        if (w != null) update("UPDATE workers SET state='stopped', doing=?, stopped_at=?, heartbeat_at=? WHERE name=?", why, now(), now(), w);
    }

    public Optional<Worker> worker(String name) {
        return query("SELECT name, host, pid, state, doing, proposer, tier, started_at, heartbeat_at, stopped_at FROM workers WHERE name=?", Ledger::workerRow, name)
                .stream().findFirst();
    }

    public List<Worker> workers() {
        return query("SELECT name, host, pid, state, doing, proposer, tier, started_at, heartbeat_at, stopped_at FROM workers ORDER BY name", Ledger::workerRow);
    }

    private static Worker workerRow(ResultSet rs) throws SQLException {
        return new Worker(rs.getString(1), rs.getString(2), lng(rs, 3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getString(9), rs.getString(10));
    }

    /**
     * Whether a worker counts as alive: it has not said it stopped, and it heartbeat within the claim timeout. On this
     * machine its pid is checked too, so a worker killed with -9 here is known dead at once.
     */
    public boolean workerAlive(Worker w) {
        if (w.state().equals("stopped")) return false;
        if (w.host().equals(HOST) && w.pid() != null && !processAlive(w.pid())) return false;
        return w.silentSeconds() * 1000 < claimTimeoutMs;
    }

    /** Whether the owner of a run, claim or reservation lives: a swarm worker by its heartbeats, else (one machine) its pid. */
    private boolean ownerAlive(Long pid, String workerName) {
        if (workerName != null) {
            if (workerName.equals(worker)) return true;
            return worker(workerName).map(this::workerAlive).orElse(false);
        }
        return pid != null && (pid == ProcessHandle.current().pid() || processAlive(pid));
    }

    /** Whether a worker of this name is alive (by its heartbeats, or its pid on this machine). */
    public boolean workerAlive(String name) { return name.equals(worker) || worker(name).map(this::workerAlive).orElse(false); }

    /** Whether the worker that made a candidate is alive; false outside a swarm (one loop per workspace owns everything). */
    public boolean candidateOwnerAlive(long candidateId) {
        String w = candidateWorker(candidateId);
        return w != null && !w.equals(worker) && workerAlive(w);
    }

    private boolean onThisHost(String workerName) { return workerName == null || worker(workerName).map(w -> w.host().equals(HOST)).orElse(false); }

    private String workerHost(String workerName) { return worker(workerName).map(Worker::host).orElse("another machine"); }

    /** Puts a candidate back in the queue for any worker to run. */
    public void requeue(long candidateId, String reason) {
        String tag = candidate(candidateId).map(Candidate::tag).orElseThrow();
        if (!query("SELECT 1 FROM work_queue WHERE candidate_id=? AND state IN ('queued','claimed')", rs -> 1, candidateId).isEmpty()) return;
        insert("INSERT INTO work_queue(candidate_id, tag, reason, state, created_at) VALUES(?,?,?,?,?)", candidateId, tag, reason, "queued", now());
    }

    /** A claimed queue entry: the candidate to run and why it was queued. */
    public record Claim(long id, long candidateId, String reason) {}

    /**
     * Claims the oldest queued candidate of a tag for this worker. On PostgreSQL, claimers skip rows another one has
     * locked (FOR UPDATE SKIP LOCKED), so N workers take N different candidates without waiting on each other.
     */
    public synchronized Optional<Claim> claimQueued(String tag) {
        try (Statement st = c.createStatement()) {
            dialect.beginLocked(st, "queue:" + tag);
            try {
                Optional<Claim> q = query("SELECT id, candidate_id, reason FROM work_queue WHERE tag=? AND state='queued' ORDER BY id LIMIT 1" + dialect.skipLocked(),
                        rs -> new Claim(rs.getLong(1), rs.getLong(2), rs.getString(3)), tag).stream().findFirst();
                q.ifPresent(x -> update("UPDATE work_queue SET state='claimed', worker=?, claimed_at=? WHERE id=?", worker, now(), x.id()));
                st.execute("COMMIT");
                return q;
            } catch (SQLException | RuntimeException e) {
                st.execute("ROLLBACK");
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException(where() + ": " + e.getMessage(), e);
        }
    }

    public void finishClaim(long claimId) { update("UPDATE work_queue SET state='done', done_at=? WHERE id=?", now(), claimId); }

    /** A queue entry as `swarm status` shows it. */
    public record QueueEntry(long id, long candidateId, String tag, String reason, String state, String worker, String createdAt, String claimedAt) {}

    public List<QueueEntry> queue() {
        return query("SELECT id, candidate_id, tag, reason, state, worker, created_at, claimed_at FROM work_queue WHERE state IN ('queued','claimed') ORDER BY id",
                rs -> new QueueEntry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
    }

    /**
     * Earlier candidates of the same tag with the same parent and settings, that ran or are still being run: the
     * ones a new candidate would repeat if its files are the same too. Only earlier ones, so that of two made at
     * the same moment the first runs and the second does not.
     */
    public List<Candidate> sameSettingsBefore(Candidate c) {
        return query("""
                SELECT c.* FROM candidates c WHERE c.tag=? AND c.parent_sha=? AND c.env_json=? AND c.id < ?
                AND (EXISTS (SELECT 1 FROM runs r WHERE r.candidate_id = c.id) OR NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.candidate_id = c.id))
                ORDER BY c.id""", Ledger::candidateRow, c.tag(), c.parent(), toJson(c.env()), c.id());
    }

    /** Which worker made a candidate and which ran a run (null outside a swarm). */
    public String candidateWorker(long candidateId) {
        List<String> w = query("SELECT worker FROM candidates WHERE id=?", rs -> rs.getString(1), candidateId);
        return w.isEmpty() ? null : w.get(0); // a null worker: made outside a swarm
    }

    public String runWorker(long runId) {
        List<String> w = query("SELECT worker FROM runs WHERE id=?", rs -> rs.getString(1), runId);
        return w.isEmpty() ? null : w.get(0);
    }

    /** Work done under a ledger-wide lock; what it writes commits with it. */
    public interface LockedWork<T> { T call() throws IOException; }

    /**
     * Runs `work` holding the ledger-wide lock `name`, in one transaction: on PostgreSQL an advisory lock every
     * machine sees, on SQLite the file's write lock. What the work writes commits with it or not at all.
     */
    public synchronized <T> T locked(String name, LockedWork<T> work) throws IOException {
        try (Statement st = c.createStatement()) {
            dialect.beginLocked(st, name);
            try {
                T out = work.call();
                st.execute("COMMIT");
                return out;
            } catch (IOException | RuntimeException | Error e) {
                try { st.execute("ROLLBACK"); } catch (SQLException ignored) { /* the error below says what failed */ }
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException(where() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- budget

    /** A granted reservation, or why none was granted. */
    public record ReserveResult(Reservation reservation, String refusal) {
        public boolean granted() { return reservation != null; }
    }

    /**
     * Reserves a run's worst-case cost, atomically across every process sharing this ledger (the check and
     * the insert happen under SQLite's write lock), so concurrent promoters can never overspend.
     */
    public synchronized ReserveResult reserve(long candidateId, String tier, double amountUsd, double ratePerHour, double totalUsd,
                                              double floorUsd, long minIntervalMs) {
        try (Statement st = c.createStatement()) {
            dialect.beginLocked(st, "budget");
            try {
                double committed = committedUsd();
                double left = totalUsd - committed;
                if (left - amountUsd < floorUsd - 1e-9) {
                    st.execute("ROLLBACK");
                    return new ReserveResult(null, String.format(java.util.Locale.ROOT,
                            "budget: $%.2f left of $%.2f ($%.2f spent or held); this run may cost $%.2f and the reserve floor is $%.2f",
                            left, totalUsd, committed, amountUsd, floorUsd));
                }
                if (minIntervalMs > 0) {
                    Optional<String> last = query("SELECT max(created_at) FROM reservations WHERE tier=? AND state != 'released'",
                            rs -> rs.getString(1), tier).stream().filter(x -> x != null).findFirst();
                    if (last.isPresent()) {
                        long since = java.time.Duration.between(Instant.parse(last.get()), Instant.now()).toMillis();
                        if (since < minIntervalMs) {
                            st.execute("ROLLBACK");
                            return new ReserveResult(null, String.format(java.util.Locale.ROOT,
                                    "budget: the last %s run started %.0f s ago; the minimum interval is %.0f s", tier, since / 1000.0, minIntervalMs / 1000.0));
                        }
                    }
                }
                long id = insert("INSERT INTO reservations(candidate_id, tier, amount_usd, rate_usd_per_hour, state, owner_pid, created_at, worker) VALUES(?,?,?,?,?,?,?,?)",
                        candidateId, tier, amountUsd, ratePerHour, Reservation.HELD, ProcessHandle.current().pid(), now(), worker);
                st.execute("COMMIT");
                return new ReserveResult(reservation(id).orElseThrow(), null);
            } catch (SQLException | RuntimeException e) {
                try { st.execute("ROLLBACK"); } catch (SQLException ignored) { /* the error below says what failed */ }
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException(where() + ": reserving budget failed: " + e.getMessage(), e);
        }
    }

    /** Dollars settled plus dollars still held. */
    public double committedUsd() {
        return query("SELECT COALESCE(SUM(CASE state WHEN 'settled' THEN actual_usd WHEN 'held' THEN amount_usd ELSE 0 END), 0) FROM reservations",
                rs -> rs.getDouble(1)).get(0);
    }

    public void attachRun(long reservationId, long runId) { update("UPDATE reservations SET run_id=? WHERE id=?", runId, reservationId); }

    public void settle(long reservationId, double actualUsd) {
        update("UPDATE reservations SET state='settled', actual_usd=?, settled_at=? WHERE id=? AND state='held'", actualUsd, now(), reservationId);
    }

    public void release(long reservationId, String reason) {
        update("UPDATE reservations SET state='released', actual_usd=0, reason=?, settled_at=? WHERE id=? AND state='held'", reason, now(), reservationId);
    }

    public Optional<Reservation> reservation(long id) {
        return query("SELECT * FROM reservations WHERE id=?", Ledger::reservationRow, id).stream().findFirst();
    }

    public List<Reservation> reservations() { return query("SELECT * FROM reservations ORDER BY id", Ledger::reservationRow); }

    private static Reservation reservationRow(ResultSet rs) throws SQLException {
        return new Reservation(rs.getLong(1), rs.getLong(2), lng(rs, 3), rs.getString(4), rs.getDouble(5), rs.getDouble(6), dbl(rs, 7),
                rs.getString(8), lng(rs, 9), rs.getString(10), rs.getString(11));
    }

    /** Queues a candidate for a tier unless it is already queued, running or done there. Returns whether it queued. */
    public synchronized boolean enqueuePromotion(long candidateId, String tier, String reason) {
        if (!query("SELECT 1 FROM promotions WHERE candidate_id=? AND tier=? AND state IN ('queued','running','done')", rs -> 1, candidateId, tier).isEmpty())
            return false;
        insert("INSERT INTO promotions(candidate_id, tier, state, reason, created_at) VALUES(?,?,?,?,?)", candidateId, tier, Promotion.QUEUED, reason, now());
        return true;
    }

    /** Claims the oldest queued promotion of a tag (atomically, so two promoters never take the same one). */
    public synchronized Optional<Promotion> claimPromotion(String tag, String tier) {
        try (Statement st = c.createStatement()) {
            dialect.beginLocked(st, "promotions");
            try {
                Optional<Promotion> p = query("SELECT p.* FROM promotions p JOIN candidates c ON c.id = p.candidate_id WHERE c.tag=? AND p.tier=? AND p.state='queued' ORDER BY p.id LIMIT 1"
                        + (dialect == Dialect.POSTGRES ? " FOR UPDATE OF p SKIP LOCKED" : ""), Ledger::promotionRow, tag, tier).stream().findFirst();
                p.ifPresent(x -> update("UPDATE promotions SET state='running', updated_at=? WHERE id=?", now(), x.id()));
                st.execute("COMMIT");
                return p;
            } catch (RuntimeException e) {
                st.execute("ROLLBACK");
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException(where() + ": " + e.getMessage(), e);
        }
    }

    public void setPromotion(long id, String state, String reason) {
        update("UPDATE promotions SET state=?, reason=?, updated_at=? WHERE id=?", state, reason, now(), id);
    }

    public List<Promotion> promotions() { return query("SELECT * FROM promotions ORDER BY id", Ledger::promotionRow); }

    private static Promotion promotionRow(ResultSet rs) throws SQLException {
        return new Promotion(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
    }

    /**
     * Commits of a tag scored on both tiers, as (candidate, cheap mean, dear mean), oldest first: the
     * material for calibrating how the cheap tier's verdicts transfer.
     */
    public List<double[]> scoredOnBoth(String tag, String cheap, String dear) {
        List<double[]> out = new ArrayList<>();
        for (long id : query("SELECT id FROM candidates WHERE tag=? ORDER BY id", rs -> rs.getLong(1), tag)) {
            var a = meanScore(id, cheap);
            var b = meanScore(id, dear);
            if (a.isPresent() && b.isPresent()) out.add(new double[]{id, a.getAsDouble(), b.getAsDouble()});
        }
        return out;
    }

    /** Spend per tier from the runs: count, hours and dollars. */
    public record TierSpend(String tier, int runs, double hours, double dollars) {}

    public List<TierSpend> spendPerTier() {
        return query("SELECT tier, count(*), COALESCE(SUM(duration_ms), 0) / 3600000.0, COALESCE(SUM(cost_usd), 0) FROM runs GROUP BY tier ORDER BY tier",
                rs -> new TierSpend(rs.getString(1), rs.getInt(2), rs.getDouble(3), rs.getDouble(4)));
    }

    // ---------------------------------------------------------------- reads

    public Optional<Candidate> candidate(long id) {
        return query("SELECT * FROM candidates WHERE id=?", Ledger::candidateRow, id).stream().findFirst();
    }

    /** Runs still going (on any tier, any tag), oldest first. */
    public List<RunRecord> runningRuns() {
        return query("SELECT * FROM runs WHERE status='running' ORDER BY id", Ledger::runRow);
    }

    public List<RunRecord> runs(long candidateId) {
        return query("SELECT * FROM runs WHERE candidate_id=? ORDER BY id", Ledger::runRow, candidateId);
    }

    public Optional<RunRecord> run(long id) {
        return query("SELECT * FROM runs WHERE id=?", Ledger::runRow, id).stream().findFirst();
    }

    /** Stores the critic's fingerprint of a candidate's change (see dev.caddie.gate.ChangeFingerprint). */
    public void putChangeFingerprint(long candidateId, String parent, int changedLines, byte[] signature) {
        update("INSERT INTO change_fingerprints(candidate_id, parent, changed_lines, signature) VALUES(?,?,?,?) ON CONFLICT(candidate_id) "
                        + "DO UPDATE SET parent=excluded.parent, changed_lines=excluded.changed_lines, signature=excluded.signature",
                candidateId, parent, changedLines, signature);
    }

    /** A fingerprinted change that failed: crashed, was discarded or was rejected, with its latest verdict. */
    public record FailedChange(long candidateId, String parent, byte[] signature, String verdict, String reason) {}

    /** Every fingerprinted candidate whose latest verdict is a failure, oldest first: one query for the whole history. */
    public List<FailedChange> failedChanges() {
        return query("""
                SELECT f.candidate_id, f.parent, f.signature, v.verdict, v.reason FROM change_fingerprints f
                JOIN verdicts v ON v.id = (SELECT max(id) FROM verdicts WHERE candidate_id = f.candidate_id)
                WHERE v.verdict IN ('crash', 'discard', 'rejected') ORDER BY f.candidate_id""",
                rs -> new FailedChange(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getString(4), rs.getString(5)));
    }

    /** The candidates that failed without a fingerprint (made before the critic existed), for a one-time backfill. */
    public List<Candidate> failedWithoutFingerprint(int limit) {
        return query("""
                SELECT c.* FROM candidates c JOIN verdicts v ON v.id = (SELECT max(id) FROM verdicts WHERE candidate_id = c.id)
                WHERE v.verdict IN ('crash', 'discard', 'rejected') AND c.parent_sha IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM change_fingerprints f WHERE f.candidate_id = c.id) ORDER BY c.id DESC LIMIT ?""",
                Ledger::candidateRow, limit);
    }

    /** The newest gate results of one gate across all candidates, newest first (the critic's review notes). */
    public List<GateRecord> latestGateResults(String gate, int limit) {
        return query("SELECT candidate_id, run_id, gate, passed, reason, created_at FROM gate_results WHERE gate=? ORDER BY id DESC LIMIT ?",
                rs -> new GateRecord(rs.getLong(1), lng(rs, 2), rs.getString(3), rs.getInt(4) == 1, rs.getString(5), rs.getString(6)), gate, limit);
    }

    /** Changes whenever a candidate, run, verdict or grade is added or a run ends: what a live page polls. */
    public String changeVersion() {
        return query("SELECT (SELECT coalesce(max(id), 0) FROM candidates) || '.' || (SELECT coalesce(max(id), 0) FROM runs) || '.' || "
                + "(SELECT count(*) FROM runs WHERE ended_at IS NOT NULL) || '.' || (SELECT coalesce(max(id), 0) FROM verdicts) || '.' || "
                + "(SELECT coalesce(max(id), 0) FROM finding_grades) || '.' || (SELECT coalesce(max(id), 0) FROM gate_results)", rs -> rs.getString(1)).get(0);
    }

    public List<GateRecord> gateResults(long candidateId) {
        return query("SELECT candidate_id, run_id, gate, passed, reason, created_at FROM gate_results WHERE candidate_id=? ORDER BY id",
                rs -> new GateRecord(rs.getLong(1), lng(rs, 2), rs.getString(3), rs.getInt(4) == 1, rs.getString(5), rs.getString(6)), candidateId);
    }

    public List<Verdict> verdicts(long candidateId) {
        return query("SELECT candidate_id, run_id, verdict, reason, best_before, created_at FROM verdicts WHERE candidate_id=? ORDER BY id",
                Ledger::verdictRow, candidateId);
    }

    /** Every candidate (of one tag, or all when tag is null) with its latest run and latest verdict, oldest first. */
    public List<Experiment> experiments(String tag) {
        String sql = """
                SELECT c.*, r.*, v.candidate_id, v.run_id, v.verdict, v.reason, v.best_before, v.created_at
                FROM candidates c
                LEFT JOIN runs r ON r.id = (SELECT max(id) FROM runs WHERE candidate_id = c.id)
                LEFT JOIN verdicts v ON v.id = (SELECT max(id) FROM verdicts WHERE candidate_id = c.id)
                """ + (tag == null ? "" : "WHERE c.tag = ? ") + "ORDER BY c.id";
        return query(sql, rs -> {
            Candidate cand = candidateRow(rs);
            int runAt = CANDIDATE_COLUMNS, verdictAt = CANDIDATE_COLUMNS + RUN_COLUMNS; // column offsets in the join
            RunRecord run = rs.getObject(runAt + 1) == null ? null : runRow(rs, runAt);
            Verdict v = rs.getObject(verdictAt + 1) == null ? null : new Verdict(rs.getLong(verdictAt + 1), lng(rs, verdictAt + 2),
                    rs.getString(verdictAt + 3), rs.getString(verdictAt + 4), dbl(rs, verdictAt + 5), rs.getString(verdictAt + 6));
            return new Experiment(cand, run, v);
        }, tag == null ? new Object[0] : new Object[]{tag});
    }

    /** The kept candidate with the best score (its mean over seeds on its tier) on a tag, if any. */
    public Optional<Experiment> best(String tag, boolean minimize) { return best(experiments(tag), minimize); }

    /** The best kept one among experiments already read (a page that lists them all reads them once). */
    public Optional<Experiment> best(List<Experiment> experiments, boolean minimize) {
        Experiment best = null;
        double bestScore = 0;
        // every candidate's mean per tier in one query: a 10,000-candidate ledger is not 2,500 queries
        Map<String, Double> means = new HashMap<>();
        for (Object[] r : query("SELECT candidate_id, tier, avg(val_bpb) FROM runs WHERE status='ok' AND val_bpb IS NOT NULL GROUP BY candidate_id, tier",
                rs -> new Object[]{rs.getLong(1), rs.getString(2), rs.getDouble(3)}))
            means.put(r[0] + "/" + r[1], (Double) r[2]);
        for (Experiment e : experiments) {
            if (e.verdict() == null || !e.verdict().verdict().equals(Verdict.KEEP) || e.run() == null || e.run().valBpb() == null) continue;
            double score = means.getOrDefault(e.candidate().id() + "/" + e.run().tier(), e.run().valBpb());
            if (best == null || (minimize ? score < bestScore : score > bestScore)) { best = e; bestScore = score; }
        }
        return Optional.ofNullable(best);
    }

    /** The scores of a candidate's finished runs on a tier, one per seed (runs that ended ok). */
    public List<Double> scores(long candidateId, String tier) {
        return query("SELECT val_bpb FROM runs WHERE candidate_id=? AND tier=? AND status='ok' AND val_bpb IS NOT NULL ORDER BY id",
                rs -> rs.getDouble(1), candidateId, tier);
    }

    public java.util.OptionalDouble meanScore(long candidateId, String tier) {
        return scores(candidateId, tier).stream().mapToDouble(Double::doubleValue).average();
    }

    /** The newest measured training step time on a tier (train time over steps of a run that ended ok), for throughput estimates. */
    public java.util.OptionalDouble lastStepMs(String tier) {
        List<Double> ms = query("SELECT CAST(train_time_ms AS DOUBLE PRECISION)/stop_step FROM runs WHERE tier=? AND status='ok' AND stop_step>0 AND train_time_ms>0 "
                + "ORDER BY id DESC LIMIT 1", rs -> rs.getDouble(1), tier);
        return ms.isEmpty() ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(ms.get(0));
    }

    /** For every candidate of a tag, its scores on a tier (for the tier's seed noise). */
    public List<List<Double>> scoresPerCandidate(String tag, String tier) {
        List<Long> ids = query("SELECT id FROM candidates WHERE tag=? ORDER BY id", rs -> rs.getLong(1), tag);
        List<List<Double>> out = new ArrayList<>();
        for (long id : ids) out.add(scores(id, tier));
        return out;
    }

    public List<String> tags() {
        return query("SELECT DISTINCT tag FROM candidates ORDER BY tag", rs -> rs.getString(1));
    }

    // ---------------------------------------------------------------- plumbing

    private static Candidate candidateRow(ResultSet rs) throws SQLException {
        return new Candidate(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                fromJson(rs.getString(7)), rs.getInt(8), rs.getInt(9), rs.getInt(10), rs.getString(11));
    }

    private static RunRecord runRow(ResultSet rs) throws SQLException { return runRow(rs, 0); }

    /** Reads a runs row whose first column is at offset+1. */
    private static RunRecord runRow(ResultSet rs, int o) throws SQLException {
        return new RunRecord(rs.getLong(o + 1), rs.getLong(o + 2), rs.getString(o + 3), rs.getLong(o + 4), rs.getString(o + 5),
                rs.getString(o + 6), lng(rs, o + 8), rs.getString(o + 10), rs.getString(o + 11),
                lng(rs, o + 12), intg(rs, o + 13), rs.getString(o + 14),
                rs.getString(o + 15), rs.getString(o + 16), dbl(rs, o + 17), dbl(rs, o + 18),
                lng(rs, o + 19), lng(rs, o + 20), lng(rs, o + 21),
                intg(rs, o + 22), lng(rs, o + 23), rs.getString(o + 24),
                dbl(rs, o + 25), lng(rs, o + 26), rs.getString(o + 27));
    }

    private static Verdict verdictRow(ResultSet rs) throws SQLException {
        return new Verdict(rs.getLong(1), lng(rs, 2), rs.getString(3), rs.getString(4),
                dbl(rs, 5), rs.getString(6));
    }

    private static Long lng(ResultSet rs, int col) throws SQLException { long v = rs.getLong(col); return rs.wasNull() ? null : v; }

    private static Integer intg(ResultSet rs, int col) throws SQLException { int v = rs.getInt(col); return rs.wasNull() ? null : v; }

    private static Double dbl(ResultSet rs, int col) throws SQLException { double v = rs.getDouble(col); return rs.wasNull() ? null : v; }

    private interface Row<T> { T read(ResultSet rs) throws SQLException; }

    private synchronized <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row.read(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new LedgerException(where() + ": " + e.getMessage(), e);
        }
    }

    private synchronized void update(String sql, Object... args) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, redacted(args));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException(where() + ": " + e.getMessage(), e);
        }
    }

    private synchronized long insert(String sql, Object... args) {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            bind(ps, redacted(args));
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new LedgerException(where() + ": " + e.getMessage(), e);
        }
    }

    /** Every text written to the ledger passes here: a key that a run or an agent printed is never stored. */
    private static Object[] redacted(Object[] args) {
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) if (out[i] instanceof String s) out[i] = dev.caddie.task.Secrets.redact(s);
        return out;
    }

    /** Binds parameters in either database: a null goes untyped, so PostgreSQL takes its column's type. */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) ps.setNull(i + 1, Types.NULL);
            else ps.setObject(i + 1, args[i]);
        }
    }

    static String toJson(Map<String, String> env) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(env));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> fromJson(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new LedgerException("corrupt env_json in the ledger: " + json, e);
        }
    }

    private static String now() { return Instant.now().toString(); }

    @Override
    public void close() {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a connection that failed is not worth reporting over the error that caused it
        }
    }

    /** A ledger operation that failed; names the file. */
    public static final class LedgerException extends RuntimeException {
        LedgerException(String message, Throwable cause) { super(message, cause); }
    }
}
