// A swarm on one PostgreSQL ledger, measured: W real `caddie swarm join` workers, each in its own clone, sharing the
// ledger and a bare git remote, against one worker alone; two workers killed with -9 mid-run. Run with bench/swarm.
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.LedgerUrl;
import dev.caddie.ledger.RunRecord;
import dev.caddie.loop.WorkspaceSetup;
import dev.caddie.run.Git;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

public class SwarmBench {
    /** A run of half a second that scores a checksum of the candidate's settings: the harness is what is measured. */
    static final String TIER = """

            [tiers.fast]
            executor = "local"
            command = ["bash", "-c", "sleep 0.5; s=$(printf '%s' \\"$MATRIX_LR $EMBED_LR $SCALAR_LR $NUM_LAYERS $TRAIN_SEQ_LEN $BETA2 $WARMDOWN_ITERS\\" | cksum | cut -c1-5); echo 'Total submission size int6+zlib: 120000 bytes'; echo \\"final_int6_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.$s\\""]
            timeout_seconds = 120
            cost_per_hour = 0.0
            """;

    static String server;
    static Path root;

    public static void main(String[] args) throws Exception {
        server = args[0];
        int workers = Integer.parseInt(args[1]), per = Integer.parseInt(args[2]);
        root = Files.createTempDirectory("caddie-bench-swarm-");
        System.out.printf("swarm bench: %d workers x %d candidates on PostgreSQL, %d cores%n", workers, per, Runtime.getRuntime().availableProcessors());

        int soloN = Math.max(20, per / 4);
        Swarm solo = swarm("solo", 1);
        long t0 = System.nanoTime();
        solo.start(0, "w0", soloN).waitFor();
        double soloMin = (System.nanoTime() - t0) / 6e10;
        double soloRate = count(solo.url) / soloMin;
        System.out.printf("1 worker: %d candidates in %.1f min = %.1f candidates/min%n", count(solo.url), soloMin, soloRate);

        Swarm many = swarm("many", workers);
        List<Process> ps = new ArrayList<>();
        t0 = System.nanoTime();
        for (int i = 0; i < workers; i++) ps.add(many.start(i, "w" + i, per));
        // ledger latency under the swarm's load, from one more client doing what a worker does
        Latency lat = new Latency(many.url);
        Thread probe = new Thread(lat);
        probe.start();
        // kill two workers with -9 while each has a run going, once a third of the work is done
        int killed = 0;
        Set<String> victims = new HashSet<>(List.of("w1", "w2"));
        while (killed < 2 && ps.stream().anyMatch(Process::isAlive)) {
            Thread.sleep(200);
            if (count(many.url) < workers * per / 3) continue;
            try (Ledger l = Ledger.open(new LedgerUrl(many.url, null, null))) {
                for (RunRecord r : l.runningRuns()) {
                    String w = l.runWorker(r.id());
                    if (w != null && victims.remove(w)) {
                        Process p = ps.get(Integer.parseInt(w.substring(1)));
                        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                        killed++;
                        System.out.printf("killed worker %s with -9 during run %d (candidate %d)%n", w, r.id(), r.candidateId());
                    }
                }
            }
        }
        for (Process p : ps) p.waitFor();
        double manyMin = (System.nanoTime() - t0) / 6e10;
        lat.stop = true;
        probe.join();
        // what the dead left in the queue after the others had finished is taken by one more worker, as a user would
        int queued;
        try (Ledger l = Ledger.open(new LedgerUrl(many.url, null, null))) {
            l.recoverInterrupted();
            queued = (int) l.queue().stream().filter(q -> q.state().equals("queued")).count();
        }
        if (queued > 0) many.start(0, "sweeper", queued).waitFor();
        int n = count(many.url);
        System.out.printf("%d workers: %d candidates in %.1f min = %.1f candidates/min (%.2fx one worker; %d left in the queue for a sweeper)%n",
                workers, n, manyMin, n / manyMin, n / manyMin / soloRate, queued);

        try (Ledger l = Ledger.open(new LedgerUrl(many.url, null, null))) {
            Map<String, Integer> ran = new HashMap<>();
            int lost = 0, interrupted = 0, requeuedRan = 0;
            for (Experiment e : l.experiments("bench")) {
                Candidate c = e.candidate();
                List<RunRecord> runs = l.runs(c.id());
                if (runs.stream().anyMatch(r -> r.status().equals("running"))) lost++;
                else if (e.verdict() == null && l.queue().stream().noneMatch(q -> q.candidateId() == c.id())) lost++;
                if (runs.stream().anyMatch(r -> r.status().equals("interrupted"))) {
                    interrupted++;
                    if (runs.stream().anyMatch(r -> r.status().equals("ok"))) requeuedRan++;
                }
                if (!runs.isEmpty()) ran.merge(c.parent() + " " + c.env() + " " + c.commit(), 1, Integer::sum);
            }
            int dups = ran.values().stream().mapToInt(v -> v - 1).sum();
            System.out.printf("duplicates run: %d (must be 0)%n", dups);
            System.out.printf("lost runs after killing %d workers: %d (must be 0); %d interrupted runs, %d of their candidates run again by another worker%n",
                    killed, lost, interrupted, requeuedRan);
            Experiment best = l.best("bench", true).orElseThrow();
            String remoteBest = Git.run(many.remote, "rev-parse", "caddie/bench").strip();
            System.out.printf("one best: candidate %d, and the remote's caddie/bench %s it%n", best.candidate().id(),
                    remoteBest.equals(best.candidate().commit()) ? "points at" : "DOES NOT point at");
        }
        lat.report();
    }

    static int count(String url) throws Exception {
        try (var c = DriverManager.getConnection(url); var s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM candidates WHERE tag='bench'")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException notYet) {
            return 0;
        }
    }

    record Swarm(String url, Path remote, List<Path> clones) {
        Process start(int clone, String name, int experiments) throws Exception {
            Path out = root.resolve(name + "-" + System.nanoTime() + ".out");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xmx256m",
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.caddie.cli.CaddieCommand",
                    "swarm", "join", "--name", name, "--experiments", Integer.toString(experiments), "--tag", "bench", "-C", clones.get(clone).toString()));
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        }
    }

    /** A task repository, its bare remote and n clones pointed at a new database on the server. */
    static Swarm swarm(String name, int n) throws Exception {
        try (var c = DriverManager.getConnection(server); var s = c.createStatement()) { s.execute("CREATE DATABASE bench_" + name); }
        String url = server.replace("/postgres?", "/bench_" + name + "?");
        Path origin = root.resolve(name + "-origin");
        WorkspaceSetup.init(origin, "tiny-golf", false);
        Path remote = root.resolve(name + "-remote.git");
        Git.run(root, "clone", "-q", "--bare", origin.toString(), remote.toString());
        String toml = Files.readString(origin.resolve("caddie.toml")).replace("keep_rule = \"noise\"", "keep_rule = \"margin\"")
                .replace("micro_first = true", "micro_first = false").replace("tier = \"local\"", "tier = \"fast\"")
                + TIER + "\n[ledger]\nurl = \"" + url + "\"\n\n[swarm]\nremote = \"" + remote + "\"\n";
        Files.writeString(origin.resolve("caddie.toml"), toml);
        List<Path> clones = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path c = root.resolve(name + "-w" + i);
            new ProcessBuilder("cp", "-a", origin.toString(), c.toString()).inheritIO().start().waitFor();
            clones.add(c);
        }
        return new Swarm(url, remote, clones);
    }

    /** Times what a worker asks of the ledger, one operation at a time, while the swarm runs. */
    static final class Latency implements Runnable {
        final String url;
        volatile boolean stop;
        final Map<String, List<Double>> ms = new java.util.LinkedHashMap<>();

        Latency(String url) { this.url = url; }

        @Override
        public void run() {
            try (Ledger l = Ledger.open(new LedgerUrl(url, null, null))) {
                l.joinSwarm("probe", "search", "fast", 900_000);
                String sha = "0".repeat(40);
                while (!stop) {
                    long cid = time("add candidate", () -> l.addCandidate("probe", sha, sha, "probe", "latency probe", Map.of("X", "1"), 0, 0, 0));
                    long run = time("start run", () -> l.startRun(cid, "fast", 1, "local", null));
                    time("finish run", () -> { l.finishRun(run, new Ledger.RunFinish("ok", 1, 0, null, "val_bpb", 1.0, 1.0, null, null, null, null, null, null, null)); return 0L; });
                    time("add verdict", () -> { l.addVerdict(cid, run, "discard", "probe", null); return 0L; });
                    time("heartbeat", () -> { l.workerHeartbeat("probing"); return 0L; });
                    time("claim from queue", () -> { l.claimQueued("probe"); return 0L; });
                    time("reserve budget", () -> { l.reserve(cid, "paid", 0.0, 0.0, 1e9, 0, 0); return 0L; });
                    time("read experiments of the tag", () -> (long) l.experiments("bench").size());
                    Thread.sleep(50);
                }
                l.leaveSwarm("done");
            } catch (Exception e) {
                System.out.println("latency probe failed: " + e);
            }
        }

        interface Op { long call() throws Exception; }

        long time(String name, Op op) throws Exception {
            long t = System.nanoTime();
            long v = op.call();
            ms.computeIfAbsent(name, k -> new ArrayList<>()).add((System.nanoTime() - t) / 1e6);
            return v;
        }

        void report() {
            System.out.println("ledger latency under the swarm's load (ms):      n     p50     p99     max");
            for (var e : ms.entrySet()) {
                double[] xs = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("  %-28s %14d %7.1f %7.1f %7.1f%n", e.getKey(), xs.length, xs[xs.length / 2], xs[(int) Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)], xs[xs.length - 1]);
            }
        }
    }
}
