package dev.caddie.cli;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.caddie.cli.CliTest.caddie;
import static org.assertj.core.api.Assertions.assertThat;

class CalibrateCommandTest {
    @TempDir Path tmp;

    private static void scored(Ledger l, long cid, String tier, double bpb) {
        long run = l.startRun(cid, tier, 1337, "local", null);
        l.finishRun(run, new Ledger.RunFinish("ok", 1000, 0, "x", "final", bpb, bpb * 0.69, 100L, 10L, 1000L, 10, 1L, null, 0.0));
    }

    @Test
    void calibrationReportsTheRankCorrelationTheLineAndAChart() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            l.setMeta("tag", "t");
            double[][] scores = {{3.00, 2.600}, {2.98, 2.590}, {2.95, 2.575}, {3.02, 2.612}, {2.97, 2.586}, {2.99, 2.594}};
            for (double[] s : scores) {
                long cid = l.addCandidate("t", "c", "p", "search", "x", Map.of(), 0, 0, 0);
                scored(l, cid, "local", s[0]);
                scored(l, cid, "official", s[1]);
            }
            scored(l, l.addCandidate("t", "c", "p", "search", "local only", Map.of(), 0, 0, 0), "local", 2.9);
        }
        CliTest.Out o = caddie("calibrate", "-C", ws.toString());
        assertThat(o.code()).as(o.stderr()).isZero();
        assertThat(o.stdout()).contains("6 commit(s) of tag t scored on both local and official", "rank correlation (Spearman): 1.000",
                "official delta = ", "promotion uses this prediction", "* a commit");
        assertThat(o.stdout().lines().filter(line -> line.startsWith("  |")).count()).isEqualTo(14);
        assertThat(caddie("calibrate", "--dear", "nowhere", "-C", ws.toString()).stderr()).contains("no tier 'nowhere'");
    }

    @Test
    void withTooFewCommitsItSaysSo() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            l.setMeta("tag", "t");
            long cid = l.addCandidate("t", "c", "p", "search", "x", Map.of(), 0, 0, 0);
            scored(l, cid, "local", 3.0);
            scored(l, cid, "official", 2.6);
        }
        assertThat(caddie("calibrate", "-C", ws.toString()).stdout()).contains("not enough to calibrate");
    }
}
