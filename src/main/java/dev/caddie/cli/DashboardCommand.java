package dev.caddie.cli;

import dev.caddie.dashboard.DashboardData;
import dev.caddie.dashboard.DashboardServer;
import dev.caddie.ledger.Ledger;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "dashboard", sortOptions = false,
        description = {"Serves the workspace's ledger in a browser, read-only: the best result and its distance to the record, artifact headroom, "
                + "budget, runs in flight, every experiment with its diff, gates, runs and log, charts, and the research; JSON under /api/.",
                "Pages update live. On loopback no token is needed; any other address needs one (from --token-env), on every request."})
final class DashboardCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--port", defaultValue = "8765", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)") int port;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})") String host;
    @Option(names = "--token-env", defaultValue = "CADDIE_DASHBOARD_TOKEN", paramLabel = "NAME",
            description = "environment variable holding the token (required off loopback; default: ${DEFAULT-VALUE})") String tokenEnv;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        TaskSpec task = TaskSpecReader.read(ws.path());
        String token = System.getenv(tokenEnv);
        if (!DashboardServer.loopback(host) && (token == null || token.isBlank()))
            throw new IllegalArgumentException("the dashboard binds to " + host + ", which is not loopback: set a token in " + tokenEnv
                    + " first (or pick the variable with --token-env), or bind to 127.0.0.1 and reach it through an SSH tunnel");
        var w = new dev.caddie.loop.Workspace(task.workspace());
        java.nio.file.Files.createDirectories(w.caddieDir()); // before the first run the dashboard shows an empty ledger
        try (Ledger l = Ledger.open(task.ledgerUrl());
             DashboardServer s = new DashboardServer(new DashboardData(task, l), host, port, token)) {
            String shown = host.contains(":") ? "[" + host + "]" : host;
            System.out.println("caddie dashboard: http://" + shown + ":" + s.port() + "/" + (token != null && !token.isBlank() ? " (token from " + tokenEnv + ")" : "")
                    + " — Ctrl-C stops it");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
