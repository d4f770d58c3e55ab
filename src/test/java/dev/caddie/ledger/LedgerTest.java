package dev.caddie.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerTest {
    @TempDir Path tmp;

    private static void sql(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String x : statements) s.execute(x);
        }
    }

    @Test
    void anOlderLedgerIsMigratedInPlaceAndKeepsItsRecords() throws Exception {
        Path db = tmp.resolve("ledger.db");
        long cid;
        try (Ledger l = Ledger.open(db)) {
            cid = l.addCandidate("t", "abc", "def", "baseline", "first", Map.of("A", "1"), 0, 0, 0);
            l.addVerdict(cid, null, Verdict.KEEP, "because", null);
        }
        sql(db, "DROP TABLE work_queue", "DROP TABLE workers", "ALTER TABLE candidates DROP COLUMN worker", "ALTER TABLE runs DROP COLUMN worker", "DROP TABLE finding_verifications", "DROP TABLE finding_grades", "DROP TABLE change_fingerprints", "DROP TABLE research_cursors", "DROP TABLE findings", "DROP TABLE pull_requests", "DROP TABLE submission_files", "DROP TABLE submissions", "DROP TABLE frontier_refs", "ALTER TABLE runs DROP COLUMN remote", "ALTER TABLE runs DROP COLUMN saved_ms", "DROP TABLE reservations", "DROP TABLE promotions", "DROP TABLE hypotheses", "DROP TABLE acks", "DROP TABLE messages", "DROP TABLE roles", "PRAGMA user_version = 1"); // as version 1 wrote it
        try (Ledger l = Ledger.open(db)) {
            long run = l.startRun(cid, "local", 1, "local", "log.txt");
            l.setSaved(run, 1234);
            assertThat(l.run(run).orElseThrow().savedMs()).isEqualTo(1234L);
            assertThat(l.candidate(cid).orElseThrow().env()).isEqualTo(Map.of("A", "1"));
            assertThat(l.verdicts(cid)).extracting(Verdict::reason).containsExactly("because");
        }
    }

    @Test
    void aLedgerFromANewerCaddieIsRefusedWithoutTouchingIt() throws Exception {
        Path db = tmp.resolve("ledger.db");
        try (Ledger l = Ledger.open(db)) {
            l.addCandidate("t", "abc", null, "baseline", "first", Map.of(), 0, 0, 0);
        }
        sql(db, "PRAGMA user_version = 99");
        assertThatThrownBy(() -> Ledger.open(db)).hasMessageContaining("schema version 99, newer than this Caddie knows");
        sql(db, "PRAGMA user_version = " + Migrations.ALL.size());
        try (Ledger l = Ledger.open(db)) {
            assertThat(l.experiments("t")).hasSize(1);
        }
    }

    @Test
    void aFileThatIsNotALedgerIsAClearError() throws Exception {
        Path bad = java.nio.file.Files.writeString(tmp.resolve("ledger.db"), "this is not sqlite, just text that is long enough to be read as a header....");
        assertThatThrownBy(() -> Ledger.open(bad)).hasMessageStartingWith(bad + ": cannot open the ledger");
        assertThat(java.nio.file.Files.readString(bad)).startsWith("this is not sqlite");
    }
}
