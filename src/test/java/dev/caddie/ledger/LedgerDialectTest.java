package dev.caddie.ledger;

import dev.caddie.Needs;
import dev.caddie.PostgresServer;
import dev.caddie.Requirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One battery of ledger operations run on the embedded SQLite file and on a real PostgreSQL server: the same
 * migrations, the same queries, the same answers. Every store of the ledger is touched, so a query only one
 * database accepts shows up here.
 */
public class LedgerDialectTest {
    @TempDir Path tmp;

    @Test
    void everyLedgerOperationWorksOnSqlite() throws Exception {
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) { exercise(l); }
    }

    @Test
    @Needs(Requirement.POSTGRES)
    void everyLedgerOperationWorksOnPostgres() throws Exception {
        try (Ledger l = Ledger.open(new LedgerUrl(PostgresServer.get().newDatabase(), "postgres", ""))) {
            assertThat(l.dialect()).isEqualTo(Dialect.POSTGRES);
            exercise(l);
        }
    }

    @Test
    @Needs(Requirement.POSTGRES)
    void anOlderPostgresLedgerIsMigratedAndAForeignDatabaseRefused() throws Exception {
        String url = PostgresServer.get().newDatabase();
        try (var c = DriverManager.getConnection(url, "postgres", ""); var s = c.createStatement()) {
            for (int v = 0; v < 3; v++) for (String sql : Migrations.ALL.get(v)) s.execute(Dialect.POSTGRES.ddl(sql));
            Dialect.POSTGRES.setSchemaVersion(s, 3); // as a Caddie three migrations old left it
            s.execute("INSERT INTO candidates(tag, commit_sha, proposer, description, env_json, created_at) VALUES('t','abc','baseline','old','{}','x')");
        }
        try (Ledger l = Ledger.open(new LedgerUrl(url, "postgres", ""))) {
            assertThat(l.experiments("t")).extracting(e -> e.candidate().description()).containsExactly("old");
            long id = l.addCandidate("t", "def", "abc", "p", "new", Map.of(), 0, 0, 0);
            assertThat(id).isEqualTo(2); // the identity counter continues after the old rows
        }
        String foreign = PostgresServer.get().newDatabase();
        try (var c = DriverManager.getConnection(foreign, "postgres", ""); var s = c.createStatement()) { s.execute("CREATE TABLE orders (id int)"); }
        assertThatThrownBy(() -> Ledger.open(new LedgerUrl(foreign, "postgres", "")))
                .hasMessageContaining("a PostgreSQL database of another program (tables orders)").hasMessageContaining("createdb");
    }

    @Test
    void aLedgerUrlOfAnotherKindIsRefusedWithWhatIsAccepted() {
        assertThatThrownBy(() -> new LedgerUrl("jdbc:mysql://x/y", null, null)).hasMessageContaining("jdbc:postgresql://HOST:PORT/DB");
        assertThat(new LedgerUrl("jdbc:postgresql://h/db?user=u&password=hunter2", null, null).display()).doesNotContain("hunter2");
        assertThat(LedgerUrl.parse("some/file.db", null, null).dialect()).isEqualTo(Dialect.SQLITE);
    }

    private static String sha(int n) { return String.format("%040x", n + 0xc0ffee); }

    /** What every part of Caddie asks of a ledger, with the answers checked. */
    public static void exercise(Ledger l) throws Exception {
        l.setMeta("k", "v1");
        l.setMeta("k", "v2");
        assertThat(l.meta("k")).contains("v2");

        long base = l.addCandidate("t", sha(0), null, "baseline", "baseline", Map.of(), 0, 0, 0);
        long run = l.startRun(base, "local", 1, "local", "log0");
        l.runProcess(run, 42, "then");
        l.finishRun(run, new Ledger.RunFinish("ok", 1000, 0, "sha", "val_bpb", 1.2345678912345, 2.0, 15_000_000L, 50_000L, 900L, 100, 512L, null, 0.5));
        l.addGateResult(base, run, "artifact", true, "fits");
        l.addVerdict(base, run, Verdict.KEEP, "first", null);
        long cand = l.addCandidate("t", sha(1), sha(0), "search", "lr up", Map.of("LR", "0.1"), 1, 2, 3);
        long r2 = l.startRun(cand, "local", 1, "local", "log1");
        l.setSaved(r2, 500);
        l.runRemote(r2, "host:/x pid 7");
        l.finishRun(r2, new Ledger.RunFinish("ok", 800, 0, "sha2", "val_bpb", 1.2, 1.9, null, null, null, null, null, null, null));
        l.addVerdict(cand, r2, Verdict.KEEP, "better", 1.2345678912345);

        assertThat(l.run(run).orElseThrow().valBpb()).isEqualTo(1.2345678912345); // a double, not rounded to float
        assertThat(l.experiments("t")).hasSize(2);
        assertThat(l.experiments(null).get(1).run().remote()).isEqualTo("host:/x pid 7");
        assertThat(l.best("t", true).orElseThrow().candidate().id()).isEqualTo(cand);
        assertThat(l.savedMs("t")).isEqualTo(500);
        assertThat(l.lastStepMs("local").orElseThrow()).isEqualTo(9.0);
        assertThat(l.spendPerTier()).singleElement().satisfies(s -> assertThat(s.runs()).isEqualTo(2));
        assertThat(l.changeVersion()).isNotBlank();
        assertThat(l.tags()).containsExactly("t");
        assertThat(l.scoresPerCandidate("t", "local")).hasSize(2);

        l.putChangeFingerprint(cand, "c0", 5, new byte[]{1, 2, 3});
        l.putChangeFingerprint(cand, "c0", 6, new byte[]{4, 5});
        long bad = l.addCandidate("t", sha(2), sha(1), "agent", "broke it", Map.of(), 1, 1, 1);
        l.addVerdict(bad, null, Verdict.REJECTED, "lint", null);
        l.putChangeFingerprint(bad, "c1", 2, new byte[]{9});
        assertThat(l.failedChanges()).singleElement().satisfies(f -> assertThat(f.signature()).containsExactly(9));
        assertThat(l.latestGateResults("artifact", 5)).hasSize(1);

        var res = l.reserve(cand, "official", 3.5, 21, 5.0, 0, 0);
        assertThat(res.granted()).isTrue();
        assertThat(l.reserve(cand, "official", 3.5, 21, 5.0, 0, 0).refusal()).contains("budget");
        l.settle(res.reservation().id(), 2.0);
        assertThat(l.committedUsd()).isEqualTo(2.0);
        assertThat(l.enqueuePromotion(cand, "official", "won")).isTrue();
        assertThat(l.enqueuePromotion(cand, "official", "again")).isFalse();
        assertThat(l.claimPromotion("t", "official")).isPresent();
        assertThat(l.claimPromotion("t", "official")).isEmpty();

        var req = l.postMessage("research_request", "loop", "{}", "k1", null);
        assertThat(l.postMessage("research_request", "loop", "{}", "k1", null).duplicate()).isTrue();
        l.postMessage("research_result", "research", "{}", "k2", req.id());
        assertThat(l.ack(req.id(), "me")).isTrue();
        assertThat(l.messages(null)).hasSize(2);
        l.setRole("research", 1L, "t0", 1, "running", null);
        l.setRole("research", 2L, "t1", 2, "running", null);
        l.heartbeat("research");
        assertThat(l.roles()).singleElement().satisfies(r -> assertThat(r.pid()).isEqualTo(2L));
        l.addHypothesis(cand, new Hypothesis("claude", "h", -0.01, "b", "r", 10L, 20L, 0.1, null));
        assertThat(l.hypotheses("t")).hasSize(1);

        FrontierStore f = l.frontier();
        f.replace("main", "m1", List.of(new Submission(0, "main", null, "m1", "records/a", "10min", "tree1", "2026-01-01", "A", "x", 1.1,
                "blob1", "fp1", false, Map.of("train_gpt.py", new Submission.File("blob1", 10)), null, null)));
        f.replace("main", "m2", List.of(new Submission(0, "main", null, "m2", "records/a", "10min", "tree2", "2026-01-01", "A", "x", 1.1,
                "blob2", "fp2", false, Map.of("train_gpt.py", new Submission.File("blob2", 12)), null, null)));
        f.markOnMain(Set.of("records/a"));
        f.setVerdict(f.all().get(0).id(), "valid", "{}");
        f.putPulls(List.<Object[]>of(new Object[]{5, "title", "open", null, "me", "2026-01-02", "u"}));
        assertThat(f.refs()).containsEntry("main", "m2");
        assertThat(f.sharing(List.of("blob2"), "none")).hasSize(1);
        assertThat(f.pull(5)[0]).isEqualTo("title");
        assertThat(f.count()).isEqualTo(1);

        FindingStore fs = l.findings();
        var a = fs.add(new Finding(0, "arxiv", "s1", "https://arxiv.org/abs/1", "A Paper", "sum", List.of("X"), "2026", "2601.00001", null, "{}", null));
        assertThat(fs.add(new Finding(0, "scholar", "s2", null, "A paper!", null, null, null, null, "10.1/x", null, null)).fresh()).isFalse();
        assertThat(fs.add(new Finding(0, "feed", "s3", "https://blog/x", "Other", null, null, null, null, null, null, null)).fresh()).isTrue();
        fs.setCursor("arxiv", "c1");
        fs.setCursor("arxiv", "c2");
        assertThat(fs.cursor("arxiv")).isEqualTo("c2");
        fs.addGrade(new FindingGrade(a.id(), FindingGrade.GRADED, "A", "{}", "plan", null, "m", 10, 5, 0.25, null));
        assertThat(fs.latestGrades()).containsKey(a.id());
        assertThat(fs.llmSpend()).isEqualTo(0.25);
        fs.addVerification(new FindingStore.Verification(a.id(), "kept", "d", "c0", "diff", null));
        assertThat(fs.latestVerifications()).containsKey(a.id());

        StringWriter w = new StringWriter();
        LedgerExport.jsonl(l.experiments("t"), w);
        assertThat(w.toString().lines()).hasSize(3);
    }
}
