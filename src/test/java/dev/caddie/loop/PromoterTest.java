package dev.caddie.loop;

import dev.caddie.TestWorkspace;
import dev.caddie.cli.CaddieProcessTestSupport;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Promotion;
import dev.caddie.ledger.Reservation;
import dev.caddie.ledger.RunRecord;
import dev.caddie.run.Git;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Promotion to a paid tier against a budget, with real processes and concurrent promoters. */
class PromoterTest {
    @TempDir Path tmp;

    /** A paid tier whose run sleeps, then prints the score given by the candidate's BPB env var. */
    private Path workspace(String sleepSeconds, double dollars, int seeds) throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path toml = ws.resolve("caddie.toml");
        String text = Files.readString(toml).replace("dollars = 0.0", "dollars = " + dollars).replace("promote_tier = \"official\"", "promote_tier = \"paid\"")
                .replace("\nseeds = 3", "\nseeds = " + seeds);
        Files.writeString(toml, text + """

                [tiers.paid]
                executor = "local"
                command = ["bash", "-c", "sleep SLEEP; echo 'Total submission size int6+zlib: 120000 bytes'; echo \\"final_int6_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:$BPB\\""]
                timeout_seconds = 60
                cost_per_hour = 36.0
                """.replace("SLEEP", sleepSeconds));
        return ws;
    }

    private static long queue(Ledger l, Path ws, String bpb) throws Exception {
        String head = new Git(ws).revParse("HEAD");
        long cid = l.addCandidate("t", head, head, "scripted", "bpb " + bpb, Map.of("BPB", bpb), 0, 0, 0);
        l.enqueuePromotion(cid, "paid", "test");
        return cid;
    }

    private static List<RunRecord> paidRuns(Ledger l) {
        List<RunRecord> out = new ArrayList<>();
        for (var e : l.experiments("t")) for (RunRecord r : l.runs(e.candidate().id())) if (r.tier().equals("paid")) out.add(r);
        return out;
    }

    @Test
    void twoConcurrentPromotionsAgainstABudgetForOneRunMakeExactlyOneRun() throws Exception {
        Path ws = workspace("3", 1.0, 1); // a run may cost $0.60 (60 s at $36/h): $1 fits one
        Path db = new Workspace(ws).ledgerFile();
        try (Ledger setup = Ledger.open(db)) {
            queue(setup, ws, "1.5");
            queue(setup, ws, "1.4");
        }
        var task = TaskSpecReader.read(ws);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int i = 0; i < 2; i++)
            results.add(pool.submit(() -> {
                try (Ledger own = Ledger.open(db)) { // a connection of its own, as another process would have
                    go.await();
                    return new Promoter(task, own, new Runner(new LocalExecutor()), new LoopListener() {}).run("t", 1, 1337);
                }
            }));
        go.countDown();
        List<String> said = new ArrayList<>();
        for (var f : results) said.addAll(f.get(120, TimeUnit.SECONDS));
        pool.shutdown();
        try (Ledger l = Ledger.open(db)) {
            assertThat(paidRuns(l)).hasSize(1);
            assertThat(l.promotions()).extracting(Promotion::state).containsExactlyInAnyOrder(Promotion.DONE, Promotion.REFUSED);
            assertThat(said).anySatisfy(s -> assertThat(s).contains("budget: $0.40 left of $1.00"));
            assertThat(l.reservations()).hasSize(1);
            Reservation r = l.reservations().get(0);
            assertThat(r.state()).isEqualTo(Reservation.SETTLED);
            assertThat(r.actualUsd()).isBetween(0.02, 0.2); // about 3 s at $36/h, not the $0.60 held
            assertThat(l.committedUsd()).isEqualTo(r.actualUsd());
        }
    }

    @Test
    void aResultThatBeatsTheFrontierGetsItsSeedsAndOneThatDoesNotStopsAtOne() throws Exception {
        Path ws = workspace("0", 100.0, 3);
        Path db = new Workspace(ws).ledgerFile();
        long a, b, c;
        try (Ledger l = Ledger.open(db)) {
            a = queue(l, ws, "1.5");
            b = queue(l, ws, "1.6");
            c = queue(l, ws, "1.4");
            List<String> said = new Promoter(TaskSpecReader.read(ws), l, new Runner(new LocalExecutor()), new LoopListener() {}).run("t", 5, 1337);
            assertThat(l.scores(a, "paid")).hasSize(3);
            assertThat(l.scores(b, "paid")).hasSize(1);
            assertThat(l.scores(c, "paid")).hasSize(3);
            assertThat(said.get(1)).contains("does not beat the best promoted result 1.500000");
            assertThat(said.get(2)).contains("mean 1.400000 over 3 seed(s); the best before was 1.500000");
            assertThat(l.runs(c)).extracting(RunRecord::seed).containsExactly(1337L, 1338L, 1339L);
            assertThat(l.reservations()).allSatisfy(r -> assertThat(r.state()).isEqualTo(Reservation.SETTLED));
            assertThat(l.committedUsd()).isCloseTo(paidRuns(l).stream().mapToDouble(RunRecord::costUsd).sum(), within(1e-9));
        }
    }

    @Test
    void aRestartMidPromotionNeitherLosesNorDoubleCountsTheReservation() throws Exception {
        Path ws = workspace("600", 10.0, 1);
        Path db = new Workspace(ws).ledgerFile();
        try (Ledger l = Ledger.open(db)) {
            queue(l, ws, "1.5");
        }
        Process caddie = CaddieProcessTestSupport.caddie(ws, tmp.resolve("out.txt"), "promote", "--tag", "t");
        Reservation held = null;
        for (int i = 0; i < 300 && held == null; i++) {
            Thread.sleep(100);
            try (Ledger l = Ledger.open(db)) {
                held = l.reservations().stream().filter(r -> r.runId() != null && r.state().equals(Reservation.HELD)).findFirst().orElse(null);
            }
        }
        assertThat(held).as("a reservation held for a started run; Caddie said: " + Files.readString(tmp.resolve("out.txt"))).isNotNull();
        Thread.sleep(1500);
        caddie.destroyForcibly();
        caddie.waitFor(10, TimeUnit.SECONDS);
        try (Ledger l = Ledger.open(db)) {
            l.recoverInterrupted(); // what the next Caddie does first
            assertThat(l.reservations()).hasSize(1);
            Reservation r = l.reservations().get(0);
            assertThat(r.state()).isEqualTo(Reservation.SETTLED);
            assertThat(r.actualUsd()).isGreaterThan(0.01).isLessThan(r.amountUsd()); // what the machine ran for, once
            assertThat(l.committedUsd()).isEqualTo(r.actualUsd());
            assertThat(l.promotions()).extracting(Promotion::state).containsExactly(Promotion.QUEUED);
            assertThat(l.run(r.runId()).orElseThrow().status()).isEqualTo("interrupted");
            l.recoverInterrupted(); // a second start changes nothing
            assertThat(l.committedUsd()).isEqualTo(r.actualUsd());
        }
    }
}
