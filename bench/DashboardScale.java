// The dashboard on a long history: a ledger with N candidates (default 10,000), each with a run and a verdict, then
// the overview and experiments pages loaded as a browser loads them (the HTML shell, then the page's /api/ JSON),
// timed (median of 10 after a warm-up), and the server's memory (heap after GC and the process's resident size).
// Run with bench/dashboard-scale [N].
import dev.caddie.dashboard.DashboardData;
import dev.caddie.dashboard.DashboardServer;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Workspace;
import dev.caddie.loop.WorkspaceSetup;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

public class DashboardScale {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path ws = Files.createTempDirectory("caddie-dash-bench-");
        WorkspaceSetup.init(ws, "tiny-golf", false);
        TaskSpec task = TaskSpecReader.read(ws);
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            long t0 = System.nanoTime();
            l.setMeta("tag", "t");
            for (int i = 0; i < n; i++) {
                long cid = l.addCandidate("t", "c" + i, "p", i == 0 ? "baseline" : "search", "experiment " + i + ": MATRIX_LR and a longer description",
                        Map.of("MATRIX_LR", "0.0" + (i % 9 + 1)), 1, 2, 3);
                long rid = l.startRun(cid, "local", 1337, "local", null);
                l.finishRun(rid, new Ledger.RunFinish("ok", 60_000, 0, "sha", "final", 3.0 - i * 1e-5, 2.0, 150_000L, 50_000L, 60_000L, 1000, 500L, null, 0.0));
                l.addVerdict(cid, rid, i % 4 == 0 ? "keep" : "discard", "gain " + i + " against a noise threshold of 0.002", 3.0 - (i - 1) * 1e-5);
            }
            System.out.printf("built a %,d-candidate ledger in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
        // the dashboard as a user runs it: its own process, the real command
        int port;
        try (var sock = new java.net.ServerSocket(0)) { port = sock.getLocalPort(); }
        Path root = Path.of(System.getenv().getOrDefault("CADDIE_ROOT", "."));
        ProcessBuilder pb = new ProcessBuilder(root.resolve("caddie").toString(), "dashboard", "-C", ws.toString(), "--port", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(System.getenv());
        Process p = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            for (int i = 0; ; i++) {
                try { http.send(HttpRequest.newBuilder(URI.create(base + "/api/version")).build(), HttpResponse.BodyHandlers.discarding()); break; }
                catch (java.io.IOException e) { if (i > 200) throw e; Thread.sleep(100); }
            }
            for (String[] page : new String[][]{{"overview", "/", "/api/overview"}, {"experiments", "/experiments", "/api/experiments"}}) {
                for (int w = 0; w < 3; w++) load(http, base, page);
                double[] ms = new double[10];
                long bytes = 0;
                for (int k = 0; k < ms.length; k++) {
                    long a = System.nanoTime();
                    bytes = load(http, base, page);
                    ms[k] = (System.nanoTime() - a) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf("%-11s page load (HTML + %s): median %.0f ms, worst %.0f ms, %,d bytes of JSON%n", page[0], page[2], ms[ms.length / 2], ms[ms.length - 1], bytes);
            }
            long rss = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream().filter(x -> x.startsWith("VmRSS:"))
                    .mapToLong(x -> Long.parseLong(x.replaceAll("\\D", ""))).findFirst().orElse(0) * 1024;
            System.out.printf("caddie dashboard process: %.0f MB resident after the loads (with the launcher's flags for the dashboard)%n", rss / 1e6);
        } finally {
            p.destroy();
        }
    }

    private static long load(HttpClient http, String base, String[] page) throws Exception {
        HttpResponse<String> html = http.send(HttpRequest.newBuilder(URI.create(base + page[1])).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create(base + page[2])).build(), HttpResponse.BodyHandlers.ofString());
        if (html.statusCode() != 200 || json.statusCode() != 200) throw new IllegalStateException(page[0] + ": HTTP " + html.statusCode() + "/" + json.statusCode());
        return json.body().length();
    }
}
