package dev.caddie.ledger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Research findings in the ledger, deduplicated across sources, and each source's cursor. */
public final class FindingStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Ledger ledger;
    private final Connection c;

    FindingStore(Ledger ledger, Connection c) { this.ledger = ledger; this.c = c; }

    /**
     * Adds a finding unless one already holds it: the same arXiv id, DOI, URL or normalised title, whichever
     * source found it first. Returns the id of the stored finding and whether it is new.
     */
    public synchronized Added add(Finding f) {
        synchronized (ledger) {
            try {
                Long had = existing(f);
                if (had != null) return new Added(had, false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO findings(source, source_id, url, title, summary, authors_json, published, arxiv_id, doi, "
                        + "norm_title, raw, fetched_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", java.sql.Statement.RETURN_GENERATED_KEYS)) {
                    bind(ps, f.source(), f.sourceId(), f.url(), f.title(), f.summary(), JSON.writeValueAsString(f.authors()), f.published(), f.arxivId(),
                            f.doi(), Finding.normalise(f.title()), f.raw(), Instant.now().toString());
                    ps.executeUpdate();
                    try (ResultSet rs = ps.getGeneratedKeys()) {
                        rs.next();
                        return new Added(rs.getLong(1), true);
                    }
                }
            } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    /** A finding's id in the store, and whether this add stored it. */
    public record Added(long id, boolean fresh) {}

    private Long existing(Finding f) throws SQLException {
        String norm = Finding.normalise(f.title());
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM findings WHERE arxiv_id=? OR doi=? OR url=? OR (? <> '' AND norm_title=?) "
                + "ORDER BY id LIMIT 1")) { // a null key matches nothing: x = NULL is never true
            bind(ps, f.arxivId(), f.doi(), f.url(), norm, norm);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    public List<Finding> all() { return select("", new Object[0]); }

    public Optional<Finding> get(long id) { return select("WHERE id=?", new Object[]{id}).stream().findFirst(); }

    /** Where a source's last fetch stopped (its own notion: a date, a token), or null before its first. */
    public String cursor(String source) {
        synchronized (ledger) {
            try (PreparedStatement ps = c.prepareStatement("SELECT cursor FROM research_cursors WHERE source=?")) {
                ps.setString(1, source);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    public void setCursor(String source, String cursor) {
        synchronized (ledger) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO research_cursors(source, cursor, updated_at) VALUES(?,?,?) "
                    + "ON CONFLICT(source) DO UPDATE SET cursor=excluded.cursor, updated_at=excluded.updated_at")) {
                bind(ps, source, cursor, Instant.now().toString());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Records a verdict on a finding; the latest one is what the finding is now. */
    public void addGrade(FindingGrade g) {
        update("INSERT INTO finding_grades(finding_id, status, tier, scores_json, plan, reason, model, prompt_tokens, completion_tokens, cost_usd, graded_at) "
                + "VALUES(?,?,?,?,?,?,?,?,?,?,?)", g.findingId(), g.status(), g.tier(), g.scoresJson(), g.plan(), g.reason(), g.model(),
                g.promptTokens(), g.completionTokens(), g.costUsd(), g.gradedAt() == null ? Instant.now().toString() : g.gradedAt());
    }

    /** The latest verdict on each finding that has one, by finding id. */
    public java.util.Map<Long, FindingGrade> latestGrades() {
        java.util.Map<Long, FindingGrade> out = new java.util.LinkedHashMap<>();
        for (FindingGrade g : grades("WHERE id IN (SELECT max(id) FROM finding_grades GROUP BY finding_id)")) out.put(g.findingId(), g);
        return out;
    }

    /** A finding tried on the micro tier: outcome is passes, crash, nan, no learning, over the limit, rejected, no change or agent failed. */
    public record Verification(long findingId, String outcome, String detail, String baseCommit, String diff, String createdAt) {}

    public void addVerification(Verification v) {
        update("INSERT INTO finding_verifications(finding_id, outcome, detail, base_commit, diff, created_at) VALUES(?,?,?,?,?,?)",
                v.findingId(), v.outcome(), v.detail(), v.baseCommit(), v.diff(), Instant.now().toString());
    }

    /** The latest verification of each finding that has one, by finding id. */
    public java.util.Map<Long, Verification> latestVerifications() {
        synchronized (ledger) {
            java.util.Map<Long, Verification> out = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT finding_id, outcome, detail, base_commit, diff, created_at FROM finding_verifications "
                    + "WHERE id IN (SELECT max(id) FROM finding_verifications GROUP BY finding_id) ORDER BY id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getLong(1), new Verification(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)));
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
            return out;
        }
    }

    /** Dollars every LLM call so far has cost. */
    public double llmSpend() {
        synchronized (ledger) {
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(cost_usd), 0) FROM finding_grades"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getDouble(1) : 0;
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    private List<FindingGrade> grades(String where) {
        synchronized (ledger) {
            List<FindingGrade> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT finding_id, status, tier, scores_json, plan, reason, model, prompt_tokens, completion_tokens, "
                    + "cost_usd, graded_at FROM finding_grades " + where + " ORDER BY id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next())
                    out.add(new FindingGrade(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getString(7), rs.getInt(8), rs.getInt(9), rs.getDouble(10), rs.getString(11)));
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
            return out;
        }
    }

    private void update(String sql, Object... args) {
        synchronized (ledger) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
        }
    }

    private List<Finding> select(String where, Object[] args) {
        synchronized (ledger) {
            List<Finding> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, source, source_id, url, title, summary, authors_json, published, arxiv_id, doi, raw, fetched_at "
                    + "FROM findings " + where + " ORDER BY id")) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next())
                        out.add(new Finding(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                                JSON.readValue(rs.getString(7) == null ? "[]" : rs.getString(7), new TypeReference<List<String>>() {}), rs.getString(8),
                                rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12)));
                }
            } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Ledger.LedgerException(ledger.where() + ": " + e.getMessage(), e);
            }
            return out;
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException { Ledger.bind(ps, args); }
}
