package dev.caddie.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The frontier index in the ledger: the refs read and the submission folders found at each, with their files by blob
 * id. Public data about other people's submissions, kept apart from the workspace's own candidates and runs.
 */
public final class FrontierStore {
    private final Ledger ledger;
    private final Connection c;

    FrontierStore(Ledger ledger, Connection c) { this.ledger = ledger; this.c = c; }

    /** The commit each ref was last indexed at. */
    public Map<String, String> refs() {
        Map<String, String> out = new HashMap<>();
        query("SELECT ref, commit_sha FROM frontier_refs", rs -> out.put(rs.getString(1), rs.getString(2)));
        return out;
    }

    /**
     * Replaces what a ref holds with the folders read at its new commit, in one transaction with the ref's new commit:
     * a sync cut off halfway leaves each ref either read or not. A folder whose tree did not change keeps its verdict.
     */
    public void replace(String ref, String commit, List<Submission> found) {
        synchronized (ledger) {
            transaction(() -> {
                Map<String, String[]> old = new HashMap<>(); // folder -> {id, tree}
                try (PreparedStatement ps = c.prepareStatement("SELECT id, folder, tree FROM submissions WHERE ref=?")) {
                    ps.setString(1, ref);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) old.put(rs.getString(2), new String[]{rs.getString(1), rs.getString(3)});
                    }
                }
                Set<String> keep = new java.util.HashSet<>();
                for (Submission s : found) {
                    keep.add(s.folder());
                    String[] was = old.get(s.folder());
                    long id;
                    if (was != null) {
                        id = Long.parseLong(was[0]);
                        boolean same = was[1].equals(s.tree());
                        exec("UPDATE submissions SET pr=?, commit_sha=?, track=?, tree=?, date=?, name=?, author=?, claimed_bpb=?, script_blob=?, script_fp=?"
                                        + (same ? "" : ", verdict=NULL, verdict_json=NULL") + " WHERE id=?",
                                s.pr(), s.commit(), s.track(), s.tree(), s.date(), s.name(), s.author(), s.claimedBpb(), s.scriptBlob(), s.scriptFp(), id);
                        if (same) continue;
                        exec("DELETE FROM submission_files WHERE submission_id=?", id);
                    } else {
                        id = insert("INSERT INTO submissions(ref, pr, commit_sha, folder, track, tree, date, name, author, claimed_bpb, script_blob, script_fp) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                                ref, s.pr(), s.commit(), s.folder(), s.track(), s.tree(), s.date(), s.name(), s.author(), s.claimedBpb(), s.scriptBlob(), s.scriptFp());
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission_files(submission_id, name, blob, size) VALUES(?,?,?,?)")) {
                        for (Map.Entry<String, Submission.File> f : s.files().entrySet()) {
                            ps.setLong(1, id);
                            ps.setString(2, f.getKey());
                            ps.setString(3, f.getValue().blob());
                            ps.setLong(4, f.getValue().size());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                for (Map.Entry<String, String[]> o : old.entrySet())
                    if (!keep.contains(o.getKey())) exec("DELETE FROM submissions WHERE id=?", Long.parseLong(o.getValue()[0]));
                exec("INSERT INTO frontier_refs(ref, commit_sha, synced_at) VALUES(?,?,?) ON CONFLICT(ref) DO UPDATE SET commit_sha=excluded.commit_sha, synced_at=excluded.synced_at",
                        ref, commit, Instant.now().toString());
            });
        }
    }

    /** Forgets refs the source no longer has (a PR ref GitHub removed), with their folders. */
    public void forget(Collection<String> refs) {
        synchronized (ledger) {
            transaction(() -> {
                for (String r : refs) {
                    exec("DELETE FROM submissions WHERE ref=?", r);
                    exec("DELETE FROM frontier_refs WHERE ref=?", r);
                }
            });
        }
    }

    /** Marks the folders that are on main at the synced commit; every other one is not. */
    public void markOnMain(Set<String> folders) {
        synchronized (ledger) {
            transaction(() -> {
                exec("UPDATE submissions SET on_main=0");
                try (PreparedStatement ps = c.prepareStatement("UPDATE submissions SET on_main=1 WHERE folder=?")) {
                    for (String f : folders) {
                        ps.setString(1, f);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            });
        }
    }

    public void setVerdict(long id, String verdict, String json) {
        synchronized (ledger) {
            try {
                exec("UPDATE submissions SET verdict=?, verdict_json=? WHERE id=?", verdict, json, id);
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    /** What GitHub said of PRs (title, state), kept by number; a later listing replaces a PR's row. */
    public void putPulls(List<Object[]> rows) {
        synchronized (ledger) {
            transaction(() -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO pull_requests(pr, title, state, merged_at, author, updated_at, url) VALUES(?,?,?,?,?,?,?) "
                        + "ON CONFLICT(pr) DO UPDATE SET title=excluded.title, state=excluded.state, merged_at=excluded.merged_at, author=excluded.author, "
                        + "updated_at=excluded.updated_at, url=excluded.url")) {
                    for (Object[] r : rows) {
                        bind(ps, r);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            });
        }
    }

    /** A PR as GitHub described it: {title, state, merged_at}, or null when no listing covered it. */
    public String[] pull(int pr) {
        String[][] out = {null};
        synchronized (ledger) {
            try (PreparedStatement ps = c.prepareStatement("SELECT title, state, merged_at FROM pull_requests WHERE pr=?")) {
                ps.setInt(1, pr);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) out[0] = new String[]{rs.getString(1), rs.getString(2), rs.getString(3)};
                }
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
        return out[0];
    }

    /** The newest update time among the PRs GitHub listed, where the next listing may stop. */
    public String pullsUpdatedUntil() {
        String[] out = {null};
        query("SELECT MAX(updated_at) FROM pull_requests", rs -> out[0] = rs.getString(1));
        return out[0];
    }

    /** Script fingerprints by script blob, as earlier syncs computed them. */
    public Map<String, String> fingerprints() {
        Map<String, String> out = new HashMap<>();
        query("SELECT DISTINCT script_blob, script_fp FROM submissions WHERE script_blob IS NOT NULL AND script_fp IS NOT NULL",
                rs -> out.put(rs.getString(1), rs.getString(2)));
        return out;
    }

    public List<Submission> all() { return select("", List.of()); }

    public List<Submission> ofPr(int pr) { return select("WHERE s.pr=?", List.of(pr)); }

    public List<Submission> onMain() { return select("WHERE s.ref='main'", List.of()); }

    /** Submissions holding any of these blobs, or whose script has this fingerprint. */
    public List<Submission> sharing(Collection<String> blobs, String scriptFp) {
        List<Object> args = new ArrayList<>(blobs);
        String in = String.join(",", java.util.Collections.nCopies(blobs.size(), "?"));
        String where = "WHERE s.id IN (SELECT submission_id FROM submission_files WHERE blob IN (" + (blobs.isEmpty() ? "NULL" : in) + "))";
        if (scriptFp != null) {
            where += " OR s.script_fp=?";
            args.add(scriptFp);
        }
        return select(where, args);
    }

    public int count() {
        int[] n = {0};
        query("SELECT COUNT(*) FROM submissions", rs -> n[0] = rs.getInt(1));
        return n[0];
    }

    private List<Submission> select(String where, List<Object> args) {
        synchronized (ledger) {
            Map<Long, Map<String, Submission.File>> files = new HashMap<>();
            String sub = "SELECT s.id FROM submissions s " + where;
            try {
                try (PreparedStatement ps = c.prepareStatement("SELECT submission_id, name, blob, size FROM submission_files WHERE submission_id IN (" + sub + ")")) {
                    bind(ps, args.toArray());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) files.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>()).put(rs.getString(2), new Submission.File(rs.getString(3), rs.getLong(4)));
                    }
                }
                List<Submission> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT s.id, s.ref, s.pr, s.commit_sha, s.folder, s.track, s.tree, s.date, s.name, s.author, s.claimed_bpb, "
                        + "s.script_blob, s.script_fp, s.on_main, s.verdict, s.verdict_json FROM submissions s " + where + " ORDER BY s.date, s.pr, s.folder")) {
                    bind(ps, args.toArray());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            int pr = rs.getInt(3);
                            Integer prOrNull = rs.wasNull() ? null : pr;
                            double bpb = rs.getDouble(11);
                            Double claimed = rs.wasNull() ? null : bpb;
                            out.add(new Submission(rs.getLong(1), rs.getString(2), prOrNull, rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                                    rs.getString(8), rs.getString(9), rs.getString(10), claimed, rs.getString(12), rs.getString(13), rs.getInt(14) != 0,
                                    files.getOrDefault(rs.getLong(1), new LinkedHashMap<>()), rs.getString(15), rs.getString(16)));
                        }
                    }
                }
                return out;
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    private interface Sql { void run() throws SQLException; }

    private interface Row { void read(ResultSet rs) throws SQLException; }

    private void query(String sql, Row row) {
        synchronized (ledger) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) row.read(rs);
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    private void transaction(Sql body) {
        try {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                body.run();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
        }
    }

    private void exec(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        }
    }

    private long insert(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            bind(ps, args);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException { Ledger.bind(ps, args); }
}
