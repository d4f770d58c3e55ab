package dev.caddie.cli;

import dev.caddie.Needs;
import dev.caddie.PostgresServer;
import dev.caddie.Requirement;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.LedgerDialectTest;
import dev.caddie.ledger.LedgerUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `caddie ledger migrate`: a workspace's file into PostgreSQL and back, losing nothing, and never into a ledger already there. */
@Needs(Requirement.POSTGRES)
class LedgerMigrateTest {
    @TempDir Path tmp;

    /** Everything a reader sees of the ledger, as text: equal text means nothing was lost or changed. */
    private static List<String> contents(Ledger l) {
        var out = new java.util.ArrayList<String>();
        for (Experiment e : l.experiments(null))
            out.add(e.candidate() + " | " + e.run() + " | " + e.verdict() + " | " + l.gateResults(e.candidate().id()) + " | " + l.runs(e.candidate().id()));
        out.add(l.reservations().toString());
        out.add(l.promotions().toString());
        out.add(l.messages(null).toString());
        out.add(l.findings().all().toString() + l.findings().latestGrades() + l.findings().cursor("arxiv"));
        out.add(l.frontier().all().toString());
        out.add(l.failedChanges().stream().map(f -> f.candidateId() + ":" + java.util.Arrays.toString(f.signature())).toList().toString());
        out.add(l.meta("k").orElse(""));
        return out;
    }

    @Test
    void aLedgerGoesToPostgresAndBackWithEveryRow() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        List<String> before;
        try (Ledger l = Ledger.open(ws.resolve(".caddie/ledger.db"))) {
            LedgerDialectTest.exercise(l);
            before = contents(l);
        }
        String pg = PostgresServer.get().newDatabase() + "?user=postgres";

        CliTest.Out o = CliTest.caddie("ledger", "migrate", "-C", ws.toString(), "--to", pg);
        assertThat(o.code()).as(o.stderr()).isZero();
        assertThat(o.stdout()).contains("copied").contains("candidates").contains("url = \"" + pg + "\"");
        try (Ledger l = Ledger.open(new LedgerUrl(pg, null, null))) {
            assertThat(contents(l)).isEqualTo(before);
            long next = l.addCandidate("t", "9".repeat(40), null, "p", "after the copy", java.util.Map.of(), 0, 0, 0);
            assertThat(next).isEqualTo(4); // ids go on after the copied ones
        }

        // a second copy into the same database would mix two ledgers: refused, nothing written
        CliTest.Out again = CliTest.caddie("ledger", "migrate", "-C", ws.toString(), "--to", pg);
        assertThat(again.code()).isNotZero();
        assertThat(again.stderr()).contains("already holds a ledger (rows in");

        // the workspace now uses PostgreSQL; `ledger list` reads it there, and it comes back into a file
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(Path.of("src/main/resources/presets/tiny-golf.toml").toAbsolutePath())
                + "\n[ledger]\nurl = \"" + pg + "\"\n");
        CliTest.Out list = CliTest.caddie("ledger", "list", "-C", ws.toString());
        assertThat(list.code()).as(list.stderr()).isZero();
        assertThat(list.stdout()).contains("after the copy");
        Path back = tmp.resolve("back.db");
        CliTest.Out home = CliTest.caddie("ledger", "migrate", "-C", ws.toString(), "--to", back.toString());
        assertThat(home.code()).as(home.stderr()).isZero();
        try (Ledger l = Ledger.open(back); Ledger p = Ledger.open(new LedgerUrl(pg, null, null))) {
            assertThat(contents(l)).isEqualTo(contents(p));
        }
    }

    @Test
    void aServerThatCannotBeReachedIsNamedWithoutItsPassword() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        try (Ledger l = Ledger.open(ws.resolve(".caddie/ledger.db"))) { l.setMeta("k", "v"); }
        CliTest.Out o = CliTest.caddie("ledger", "migrate", "-C", ws.toString(), "--to", "jdbc:postgresql://127.0.0.1:1/nowhere?password=hunter2");
        assertThat(o.code()).isNotZero();
        assertThat(o.stderr()).contains("127.0.0.1:1/nowhere").contains("cannot open the ledger").doesNotContain("hunter2");
    }
}
