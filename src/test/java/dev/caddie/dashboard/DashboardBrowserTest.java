package dev.caddie.dashboard;

import dev.caddie.Needs;
import dev.caddie.Requirement;
import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.ExperimentLoop;
import dev.caddie.loop.LoopListener;
import dev.caddie.loop.LoopOptions;
import dev.caddie.loop.Workspace;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposal;
import dev.caddie.search.Proposer;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dashboard in a real headless Chromium, on a real ledger the real loop wrote (Tiny Golf, the test tier): the
 * numbers a person reads are the ledger's, no page logs a console error, a verdict recorded while a page is open
 * shows up without a reload, and off loopback the token is required. Screenshots land in target/dashboard/.
 */
@Needs(Requirement.CHROMIUM)
class DashboardBrowserTest {
    @TempDir static Path tmp;
    static Path ws;
    static TaskSpec task;
    static Ledger ledger;
    static DashboardServer server;
    WebDriver browser;

    @BeforeAll
    static void aLedgerTheLoopWrote() throws Exception {
        ws = TestWorkspace.create(tmp.resolve("ws"));
        task = TaskSpecReader.read(ws);
        ArrayDeque<Proposal> proposals = new ArrayDeque<>(List.of(
                Proposal.env("faster learning rates", Map.of("WARMUP_STEPS", "0", "EMBED_LR", "0.03", "MATRIX_LR", "0.012")),
                Proposal.env("timid learning rates", Map.of("EMBED_LR", "0.002", "MATRIX_LR", "0.0008"))));
        Proposer scripted = new Proposer() {
            @Override public String name() { return "scripted"; }
            @Override public Proposal propose(dev.caddie.search.ProposalContext c) { return proposals.removeFirst(); }
        };
        ledger = Ledger.open(new Workspace(ws).ledgerFile());
        new ExperimentLoop(task, ledger, new Runner(new LocalExecutor()), scripted, new LoopListener() {}).run(new LoopOptions("web", 3, null, "test", 1337));
        long f = ledger.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "x", "https://arxiv.org/abs/2402.00001", "Muon for small models", "s",
                List.of(), "2026-11-01", null, null, "{}", null)).id();
        ledger.findings().addGrade(new dev.caddie.ledger.FindingGrade(f, "graded", "A", "{\"expected_gain_bpb\": 0.01}", "Try Muon on the matrices.", null, "m", 1, 1, 0, null));
        Files.writeString(ws.resolve("technique_map.json"), """
                {"techniques": [], "edges": [{"a": "XSA", "b": "EMA", "relation": "composes", "evidence": 3, "against": 0},
                                             {"a": "EMA", "b": "TTT", "relation": "conflicts", "evidence": 1, "against": 0}]}""");
        server = new DashboardServer(new DashboardData(task, ledger), "127.0.0.1", 0, null);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (ledger != null) ledger.close();
    }

    @BeforeEach
    void browser() throws Exception {
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run", "--window-size=1280,1000",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "chrome"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build(), o);
    }

    @AfterEach
    void noConsoleErrorsThenClose() {
        try {
            List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertThat(severe).as("browser console errors").isEmpty();
        } finally {
            browser.quit();
        }
    }

    private String url(String path) { return "http://127.0.0.1:" + server.port() + path; }

    private String open(String path, String readyId) {
        browser.get(url(path));
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> !d.findElements(By.id(readyId)).isEmpty());
        return browser.findElement(By.id(readyId)).getText();
    }

    private void screenshot(String name) throws Exception {
        Path dir = Path.of("target", "dashboard");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void theOverviewShowsTheLedgersBestHeadroomAndBudgetAndANewVerdictWithoutAReload() throws Exception {
        Experiment best = ledger.best("web", true).orElseThrow();
        double mean = ledger.meanScore(best.candidate().id(), best.run().tier()).orElseThrow();
        assertThat(open("/", "best-val-bpb")).isEqualTo(String.format(Locale.ROOT, "%.4f", mean));
        assertThat(browser.findElement(By.id("headroom")).getText())
                .isEqualTo(String.format(Locale.US, "%,d", task.limits().artifactBytes() - best.run().artifactBytes()));
        assertThat(browser.findElement(By.id("budget-left")).getText()).isEqualTo(String.format(Locale.ROOT, "$%.2f", task.budget().dollars() - ledger.committedUsd()));
        assertThat(browser.findElement(By.id("last-verdicts")).getText()).contains("timid learning rates", "discard");
        screenshot("overview");
        // a verdict recorded elsewhere while the page is open
        long cid = ledger.addCandidate("web", best.candidate().commit(), best.candidate().commit(), "elsewhere", "a run recorded on another machine", Map.of(), 0, 0, 0);
        ledger.addVerdict(cid, null, Verdict.REJECTED, "critic: too large", mean);
        new WebDriverWait(browser, Duration.ofSeconds(3)).until(d -> d.findElement(By.id("last-verdicts")).getText().contains("a run recorded on another machine"));
        browser.manage().window().setSize(new Dimension(390, 844));
        screenshot("overview-phone");
    }

    @Test
    void experimentsListEveryCandidateAndOneOpensWithItsGatesRunsCurveAndDiff() throws Exception {
        String table = open("/experiments", "experiments-table");
        for (Experiment e : ledger.experiments("web")) assertThat(table).contains("#" + e.candidate().id());
        screenshot("experiments");
        Experiment fast = ledger.experiments("web").stream().filter(e -> e.candidate().description().equals("faster learning rates")).findFirst().orElseThrow();
        open("/experiments/" + fast.candidate().id(), "gates");
        assertThat(browser.findElement(By.id("env")).getText()).contains("MATRIX_LR", "0.012");
        assertThat(browser.findElement(By.id("runs")).getText()).contains(String.format(Locale.ROOT, "%.4f", fast.run().valBpb()));
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> !d.findElements(By.cssSelector(".uplot canvas")).isEmpty());
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> d.findElement(By.id("log")).getText().contains("final_int6_zlib_roundtrip_exact"));
        screenshot("candidate");
        assertThat(open("/experiments?verdict=discard", "experiments-table")).contains("timid learning rates").doesNotContain("faster learning rates");
    }

    @Test
    void chartsAndResearchRender() throws Exception {
        browser.get(url("/charts"));
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector(".uplot")).size() >= 2);
        screenshot("charts");
        assertThat(open("/research", "findings")).contains("Muon for small models", "tier A", "Try Muon on the matrices.");
        assertThat(browser.findElement(By.id("technique-graph")).getText()).contains("XSA", "EMA", "TTT");
        screenshot("research");
    }

    @Test
    void offLoopbackATokenIsRequiredAndAWrongOneGets401() throws Exception {
        assertThatThrownBy(() -> new DashboardServer(new DashboardData(task, ledger), "0.0.0.0", 0, null)).hasMessageContaining("not loopback").hasMessageContaining("token");
        try (DashboardServer guarded = new DashboardServer(new DashboardData(task, ledger), "0.0.0.0", 0, "s3cret-token")) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + guarded.port();
            HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/api/overview")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base + "/api/overview")).header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain("s3cret-token");
            HttpResponse<String> right = http.send(HttpRequest.newBuilder(URI.create(base + "/api/overview")).header("Authorization", "Bearer s3cret-token").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(right.body()).contains("\"best\"").doesNotContain("s3cret-token");
            // a browser opens it once with ?token=, keeps it in a cookie and loses it from the address bar
            browser.get(base + "/?token=s3cret-token");
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> !d.findElements(By.id("best-val-bpb")).isEmpty());
            assertThat(browser.getCurrentUrl()).doesNotContain("token");
            assertThat(browser.getPageSource()).doesNotContain("s3cret-token");
        }
    }
}
