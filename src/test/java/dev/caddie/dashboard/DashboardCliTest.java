package dev.caddie.dashboard;

import dev.caddie.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** `caddie dashboard` and `caddie run --dashboard` as processes, the way a user starts them. */
class DashboardCliTest {
    @TempDir Path tmp;
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");

    private static Process start(Path ws, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.caddie.cli.CaddieCommand"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-C", ws.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("CADDIE_DASHBOARD_TOKEN");
        return pb.start();
    }

    /** Reads the process's output until it names its URL; returns the port. */
    private static int port(Process p, StringBuilder seen) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = URL.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> { try { r.transferTo(java.io.Writer.nullWriter()); } catch (Exception ignored) { } });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no dashboard URL in: " + seen);
    }

    @Test
    void theDashboardCommandServesTheWorkspaceAndRefusesAnOpenBindWithoutAToken() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Process p = start(ws, "dashboard", "--port", "0");
        try {
            int port = port(p, new StringBuilder());
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>Caddie — tiny-golf</title>", "data-page=\"overview\"");
            HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/experiments/99")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(none.body()).contains("no candidate 99");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Process open = start(ws, "dashboard", "--host", "0.0.0.0", "--port", "0");
        assertThat(open.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(open.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(open.exitValue()).as(out).isEqualTo(2);
        assertThat(out).contains("not loopback", "CADDIE_DASHBOARD_TOKEN").doesNotContain("\tat ");
    }

    @Test
    void runWithDashboardServesTheLedgerWhileTheLoopRuns() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")) + """

                [tiers.slow]
                executor = "local"
                command = ["bash", "-c", "echo 'step:1/2 train_loss:5.0000 train_time:1ms step_avg:1.00ms'; sleep 4; echo 'Total submission size int6+zlib: 120000 bytes'; echo 'final_int6_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:2.88539008'"]
                timeout_seconds = 60
                cost_per_hour = 0.0
                """);
        Process p = start(ws, "run", "--experiments", "1", "--tier", "slow", "--dashboard", "0");
        try {
            int port = port(p, new StringBuilder());
            HttpClient http = HttpClient.newHttpClient();
            String running = "";
            for (int i = 0; i < 600 && !running.contains("\"running\":[{"); i++) {
                running = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/overview")).build(), HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(100);
            }
            assertThat(running).as("a run in flight, with its step from the live log").contains("\"running\":[{\"run\"");
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroy();
        }
    }
}
