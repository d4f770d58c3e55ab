package dev.caddie.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The ledger's schema as an ordered list of migrations; PRAGMA user_version records how many have run. */
final class Migrations {
    private Migrations() {}

    static final List<String[]> ALL = List.<String[]>of(
            new String[]{
                    """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
                    """
                    CREATE TABLE candidates (
                      id INTEGER PRIMARY KEY,
                      tag TEXT NOT NULL,
                      commit_sha TEXT NOT NULL,
                      parent_sha TEXT,
                      proposer TEXT NOT NULL,
                      description TEXT NOT NULL,
                      env_json TEXT NOT NULL,
                      files_changed INTEGER NOT NULL DEFAULT 0,
                      lines_added INTEGER NOT NULL DEFAULT 0,
                      lines_removed INTEGER NOT NULL DEFAULT 0,
                      created_at TEXT NOT NULL)""",
                    """
                    CREATE TABLE runs (
                      id INTEGER PRIMARY KEY,
                      candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                      tier TEXT NOT NULL,
                      seed INTEGER NOT NULL,
                      executor TEXT NOT NULL,
                      status TEXT NOT NULL,
                      owner_pid INTEGER,
                      pid INTEGER,
                      pid_started_at TEXT,
                      started_at TEXT NOT NULL,
                      ended_at TEXT,
                      duration_ms INTEGER,
                      exit_code INTEGER,
                      log_path TEXT,
                      log_sha256 TEXT,
                      score_name TEXT,
                      val_bpb REAL,
                      val_loss REAL,
                      artifact_bytes INTEGER,
                      code_bytes INTEGER,
                      train_time_ms INTEGER,
                      stop_step INTEGER,
                      peak_mem_mib INTEGER,
                      error TEXT,
                      cost_usd REAL)""",
                    "CREATE INDEX runs_candidate ON runs(candidate_id)",
                    "CREATE INDEX runs_status ON runs(status)",
                    """
                    CREATE TABLE gate_results (
                      id INTEGER PRIMARY KEY,
                      candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                      run_id INTEGER REFERENCES runs(id),
                      gate TEXT NOT NULL,
                      passed INTEGER NOT NULL,
                      reason TEXT NOT NULL,
                      created_at TEXT NOT NULL)""",
                    """
                    CREATE TABLE verdicts (
                      id INTEGER PRIMARY KEY,
                      candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                      run_id INTEGER REFERENCES runs(id),
                      verdict TEXT NOT NULL,
                      reason TEXT NOT NULL,
                      best_before REAL,
                      created_at TEXT NOT NULL)""",
                    "CREATE INDEX verdicts_candidate ON verdicts(candidate_id)"
            },
            new String[]{
                    // compute an early abort did not spend: the best run's duration minus this run's
                    "ALTER TABLE runs ADD COLUMN saved_ms INTEGER"
            },
            new String[]{
                    """
                    CREATE TABLE reservations (
                      id INTEGER PRIMARY KEY,
                      candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                      run_id INTEGER REFERENCES runs(id),
                      tier TEXT NOT NULL,
                      amount_usd REAL NOT NULL,
                      rate_usd_per_hour REAL NOT NULL,
                      actual_usd REAL,
                      state TEXT NOT NULL,
                      owner_pid INTEGER,
                      reason TEXT,
                      created_at TEXT NOT NULL,
                      settled_at TEXT)""",
                    """
                    CREATE TABLE promotions (
                      id INTEGER PRIMARY KEY,
                      candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                      tier TEXT NOT NULL,
                      state TEXT NOT NULL,
                      reason TEXT,
                      created_at TEXT NOT NULL,
                      updated_at TEXT)"""
            },
            new String[]{
                    // What a coding agent said it would do and expected, kept beside what happened.
                    """
                    CREATE TABLE hypotheses (
                      id INTEGER PRIMARY KEY,
                      candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                      agent TEXT NOT NULL,
                      hypothesis TEXT NOT NULL,
                      predicted_delta REAL,
                      basis TEXT,
                      risk TEXT,
                      input_tokens INTEGER,
                      output_tokens INTEGER,
                      cost_usd REAL,
                      transcript_path TEXT,
                      created_at TEXT NOT NULL)"""
            },
            new String[]{
                    // Messages between roles (research requests and results, findings, promotion requests);
                    // dedup_key makes posting idempotent, acks record who consumed what.
                    """
                    CREATE TABLE messages (
                      id INTEGER PRIMARY KEY,
                      kind TEXT NOT NULL,
                      sender TEXT NOT NULL,
                      body TEXT NOT NULL,
                      dedup_key TEXT NOT NULL UNIQUE,
                      request_id INTEGER REFERENCES messages(id),
                      state TEXT NOT NULL,
                      created_at TEXT NOT NULL,
                      fulfilled_at TEXT)""",
                    """
                    CREATE TABLE acks (
                      message_id INTEGER NOT NULL REFERENCES messages(id),
                      consumer TEXT NOT NULL,
                      acked_at TEXT NOT NULL,
                      PRIMARY KEY (message_id, consumer))""",
                    // Supervised roles: the child process of each, so a restarted Caddie can stop an orphan.
                    """
                    CREATE TABLE roles (
                      name TEXT PRIMARY KEY,
                      pid INTEGER,
                      pid_started_at TEXT,
                      attempts INTEGER NOT NULL DEFAULT 0,
                      state TEXT NOT NULL,
                      reason TEXT,
                      heartbeat_at TEXT,
                      updated_at TEXT NOT NULL)"""
            },
            new String[]{
                    // Where a remote run lives (host folder and pid, Slurm job id), written before Caddie waits on it.
                    "ALTER TABLE runs ADD COLUMN remote TEXT"
            },
            new String[]{
                    // The challenge repository as data (caddie frontier sync): which commit each ref was read at ...
                    """
                    CREATE TABLE frontier_refs (
                      ref TEXT PRIMARY KEY,
                      commit_sha TEXT NOT NULL,
                      synced_at TEXT NOT NULL)""",
                    // ... one row per submission folder per ref ('main' or 'pull/N'); a folder's git tree id says whether
                    // anything in it changed, and the triage verdict is kept for the tree it was given to.
                    """
                    CREATE TABLE submissions (
                      id INTEGER PRIMARY KEY,
                      ref TEXT NOT NULL,
                      pr INTEGER,
                      commit_sha TEXT NOT NULL,
                      folder TEXT NOT NULL,
                      track TEXT,
                      tree TEXT NOT NULL,
                      date TEXT,
                      name TEXT,
                      author TEXT,
                      claimed_bpb REAL,
                      script_blob TEXT,
                      script_fp TEXT,
                      on_main INTEGER NOT NULL DEFAULT 0,
                      verdict TEXT,
                      verdict_json TEXT,
                      UNIQUE (ref, folder))""",
                    "CREATE INDEX submissions_pr ON submissions(pr)",
                    "CREATE INDEX submissions_fp ON submissions(script_fp)",
                    // ... and its files by git blob id: the same blob is the same bytes, so copies are found by an index lookup.
                    """
                    CREATE TABLE submission_files (
                      submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
                      name TEXT NOT NULL,
                      blob TEXT NOT NULL,
                      size INTEGER NOT NULL,
                      PRIMARY KEY (submission_id, name))""",
                    "CREATE INDEX submission_files_blob ON submission_files(blob)",
                    // What only GitHub knows of a PR (its title, open/closed/merged), read when a token is configured.
                    """
                    CREATE TABLE pull_requests (
                      pr INTEGER PRIMARY KEY,
                      title TEXT,
                      state TEXT,
                      merged_at TEXT,
                      author TEXT,
                      updated_at TEXT,
                      url TEXT)""",
                    // Research findings from every source, with the keys they are deduplicated by, and each source's cursor.
                    """
                    CREATE TABLE findings (
                      id INTEGER PRIMARY KEY,
                      source TEXT NOT NULL,
                      source_id TEXT NOT NULL,
                      url TEXT,
                      title TEXT NOT NULL,
                      summary TEXT,
                      authors_json TEXT,
                      published TEXT,
                      arxiv_id TEXT,
                      doi TEXT,
                      norm_title TEXT NOT NULL,
                      raw TEXT,
                      fetched_at TEXT NOT NULL)""",
                    "CREATE INDEX findings_arxiv ON findings(arxiv_id)",
                    "CREATE INDEX findings_doi ON findings(doi)",
                    "CREATE INDEX findings_url ON findings(url)",
                    "CREATE INDEX findings_title ON findings(norm_title)",
                    "CREATE TABLE research_cursors (source TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at TEXT NOT NULL)"
            },
            new String[]{
                    // The critic's fingerprint of each candidate's change (MinHash of its normalised diff and env), so a
                    // new candidate is compared with every earlier failure without diffing them again.
                    """
                    CREATE TABLE change_fingerprints (
                      candidate_id INTEGER PRIMARY KEY REFERENCES candidates(id),
                      parent TEXT NOT NULL,
                      changed_lines INTEGER NOT NULL,
                      signature BLOB NOT NULL)"""
            },
            new String[]{
                    // Research grading: every verdict on a finding (pre-filter rejection, LLM grade, or why it stayed ungraded)
                    // with its token use and cost, which [llm] dollars is checked against.
                    """
                    CREATE TABLE finding_grades (
                      id INTEGER PRIMARY KEY,
                      finding_id INTEGER NOT NULL REFERENCES findings(id),
                      status TEXT NOT NULL,
                      tier TEXT,
                      scores_json TEXT,
                      plan TEXT,
                      reason TEXT,
                      model TEXT,
                      prompt_tokens INTEGER NOT NULL DEFAULT 0,
                      completion_tokens INTEGER NOT NULL DEFAULT 0,
                      cost_usd REAL NOT NULL DEFAULT 0,
                      graded_at TEXT NOT NULL)""",
                    "CREATE INDEX finding_grades_finding ON finding_grades(finding_id)",
                    // A finding tried on the micro tier: the agent's minimal diff and how the run went.
                    """
                    CREATE TABLE finding_verifications (
                      id INTEGER PRIMARY KEY,
                      finding_id INTEGER NOT NULL REFERENCES findings(id),
                      outcome TEXT NOT NULL,
                      detail TEXT,
                      base_commit TEXT,
                      diff TEXT,
                      created_at TEXT NOT NULL)"""
            },
            new String[]{
                    // A swarm: the workers sharing this ledger, each with the machine it runs on and its last heartbeat,
                    // which is how another machine tells a live worker from a killed one (a pid means nothing there).
                    """
                    CREATE TABLE workers (
                      name TEXT PRIMARY KEY,
                      host TEXT NOT NULL,
                      pid INTEGER,
                      state TEXT NOT NULL,
                      doing TEXT,
                      proposer TEXT,
                      tier TEXT,
                      started_at TEXT NOT NULL,
                      heartbeat_at TEXT NOT NULL,
                      stopped_at TEXT)""",
                    "ALTER TABLE candidates ADD COLUMN worker TEXT",
                    "ALTER TABLE runs ADD COLUMN worker TEXT",
                    "ALTER TABLE reservations ADD COLUMN worker TEXT",
                    // Candidates waiting to be run by whichever worker claims them first: a dead worker's candidate
                    // comes back here, and so does a sibling rebased onto a newer best.
                    """
                    CREATE TABLE work_queue (
                      id INTEGER PRIMARY KEY,
                      candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                      tag TEXT NOT NULL,
                      reason TEXT NOT NULL,
                      state TEXT NOT NULL,
                      worker TEXT,
                      created_at TEXT NOT NULL,
                      claimed_at TEXT,
                      done_at TEXT)""",
                    "CREATE INDEX work_queue_state ON work_queue(tag, state)"
            });

    /**
     * Runs the migrations not yet applied, each in its own transaction. The version is read again under the
     * write lock: two processes opening a new ledger at once would otherwise both see version 0 and the second
     * would fail on "table already exists". A ledger already current (every open but the first) is read once,
     * without taking the lock.
     */
    static void migrate(Connection c, Dialect d) throws SQLException {
        int current;
        try (Statement s = c.createStatement()) { current = d.schemaVersion(s); }
        if (current > ALL.size()) throw newer(current);
        for (int v = current; v < ALL.size(); v++) {
            try (Statement s = c.createStatement()) {
                d.beginLocked(s, "schema");
                try {
                    int version = d.schemaVersionLocked(s);
                    if (version > ALL.size()) throw newer(version);
                    if (version == v) {
                        if (v == 0) refuseForeign(s, d);
                        for (String sql : ALL.get(v)) s.execute(d.ddl(sql));
                        d.setSchemaVersion(s, v + 1);
                    }
                    s.execute("COMMIT");
                } catch (SQLException e) {
                    s.execute("ROLLBACK");
                    throw e;
                }
            }
        }
    }

    /** A database at version 0 that already holds tables is someone else's: adding Caddie's tables to it would mix two records. */
    private static void refuseForeign(Statement s, Dialect d) throws SQLException {
        List<String> tables = d.tables(s);
        if (!tables.isEmpty())
            throw new SQLException((d == Dialect.SQLITE ? "an SQLite" : "a PostgreSQL") + " database of another program (tables " + String.join(", ", tables.subList(0, Math.min(5, tables.size())))
                    + (tables.size() > 5 ? ", ..." : "") + "), not a Caddie ledger; " + (d == Dialect.SQLITE
                    ? "move it aside and Caddie starts a new ledger" : "give Caddie a database of its own (createdb caddie)"));
    }

    /** For a ledger opened read-only: its schema must already be this Caddie's, since nothing can be migrated. */
    static void requireCurrent(Connection c, Dialect d) throws SQLException {
        int current;
        try (Statement s = c.createStatement()) { current = d.schemaVersion(s); }
        if (current > ALL.size()) throw newer(current);
        if (current < ALL.size())
            throw new SQLException("the ledger is read-only here and was written by an older Caddie (schema " + current + ", this one needs "
                    + ALL.size() + "); open it once where it is writable so that it is brought up to date");
    }

    private static SQLException newer(int version) {
        return new SQLException("the ledger has schema version " + version + ", newer than this Caddie knows (" + ALL.size() + "); upgrade Caddie");
    }

    /** The tables in the order a copy must fill them (a row's references come before it), with whether each has a row id. */
    static final List<String[]> TABLES = List.of(
            new String[]{"meta", "key"}, new String[]{"candidates", "id"}, new String[]{"runs", "id"}, new String[]{"gate_results", "id"},
            new String[]{"verdicts", "id"}, new String[]{"reservations", "id"}, new String[]{"promotions", "id"}, new String[]{"hypotheses", "id"},
            new String[]{"messages", "id"}, new String[]{"acks", "message_id"}, new String[]{"roles", "name"}, new String[]{"frontier_refs", "ref"},
            new String[]{"submissions", "id"}, new String[]{"submission_files", "submission_id"}, new String[]{"pull_requests", "pr"},
            new String[]{"findings", "id"}, new String[]{"research_cursors", "source"}, new String[]{"change_fingerprints", "candidate_id"},
            new String[]{"finding_grades", "id"}, new String[]{"finding_verifications", "id"}, new String[]{"workers", "name"},
            new String[]{"work_queue", "id"});
}
