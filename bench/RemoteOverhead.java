// Remote executors' overhead: the same trivial run (one log line, one file fetched back) on the local executor, on
// the SSH executor over loopback (ship the commit, check a pinned file, start, first log line, end, fetch, clean up),
// and on the Slurm executor when a cluster answers; then a kill -9 drill per executor: a run left by a Caddie that
// no longer exists, found from its recorded handle and ended. Run with bench/remote-overhead [N].
import dev.caddie.run.Executor;
import dev.caddie.run.Git;
import dev.caddie.run.LiveProgress;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.RunHandle;
import dev.caddie.run.RunOutcome;
import dev.caddie.run.RunSpec;
import dev.caddie.run.Runner;
import dev.caddie.run.SlurmExecutor;
import dev.caddie.run.SshExecutor;
import dev.caddie.task.ExecutorSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

public class RemoteOverhead {
    public static void main(String[] args) throws Exception {
        String sshConfig = args[0], host = args[1];
        int n = Integer.parseInt(args[2]);
        Path tmp = Files.createTempDirectory("caddie-bench-remote-");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("train.sh"), "echo 'final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.5'; echo weights > model.bin\n");
        Files.writeString(repo.resolve("eval.py"), "# pinned evaluation code\n");
        Git.run(repo, "init", "-q");
        Git.run(repo, "-c", "user.email=b@b", "-c", "user.name=b", "add", ".");
        Git.run(repo, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "bench");
        Map<String, String> pinned = Map.of("eval.py", Runner.sha256(repo.resolve("eval.py")));
        Files.createDirectories(tmp.resolve("remote-ws"));

        Executor local = new LocalExecutor();
        Executor ssh = new SshExecutor(new ExecutorSpec("box", "ssh", host, tmp.resolve("remote").toString(), tmp.resolve("remote-ws").toString(),
                List.of("-F", sshConfig), List.of(), false));
        boolean slurm = slurmUp();
        Executor sl = slurm ? new SlurmExecutor(new ExecutorSpec("campus", "slurm", null, tmp.resolve("shared").toString(), tmp.resolve("remote-ws").toString(),
                List.of(), List.of(), false)) : null;

        System.out.printf("runs per executor: %d (a run printing one line and writing one file, fetched back; one pinned file checked)%n", n);
        double[] l = measure(local, "local", repo, tmp, pinned, n);
        double[] s = measure(ssh, "ssh:box", repo, tmp, pinned, n);
        System.out.printf("local:  %.0f ms per run (median), first log line after %.0f ms%n", l[0], l[1]);
        System.out.printf("ssh:    %.0f ms per run (median), first log line after %.0f ms%n", s[0], s[1]);
        System.out.printf("ssh extra per run: %.0f ms (target <= 2000 ms)%n", s[0] - l[0]);
        if (sl != null) {
            double[] q = measure(sl, "slurm:campus", repo, tmp, pinned, n);
            System.out.printf("slurm:  %.0f ms per run (median), submit to first log line %.0f ms (one-node cluster on loopback)%n", q[0], q[1]);
        } else System.out.println("slurm: skipped (no cluster answers: set SLURM_CONF; .ci/slurm-up.sh starts a one-node one as root)");

        drill(ssh, "ssh:box", repo, tmp);
        if (sl != null) drill(sl, "slurm:campus", repo, tmp);
    }

    /** Median wall time of a whole run, and median time to its first log line. */
    static double[] measure(Executor e, String ref, Path repo, Path tmp, Map<String, String> pinned, int n) throws Exception {
        Runner runner = new Runner(e);
        double[] total = new double[n], first = new double[n];
        for (int i = -1; i < n; i++) { // one warm-up run: JIT, and ssh's shared connection
            long t0 = System.nanoTime();
            long[] firstAt = {0};
            RunOutcome o = runner.run(new RunSpec(repo, List.of("bash", "train.sh"), Map.of(), Duration.ofSeconds(120),
                    tmp.resolve(ref.replace(':', '-') + "/" + i + "/log.txt"), ref, tmp.resolve("ws"), ref.equals("local") ? Map.of() : pinned,
                    List.of("model.bin"), "r" + i), new Runner.Listener() {
                @Override public void line(String line, LiveProgress p) { if (firstAt[0] == 0) firstAt[0] = System.nanoTime(); }
            });
            if (o.status() != dev.caddie.run.RunStatus.OK) throw new IllegalStateException(ref + " run ended " + o.status() + ": " + o.errorText());
            if (i < 0) continue;
            total[i] = (System.nanoTime() - t0) / 1e6;
            first[i] = (firstAt[0] - t0) / 1e6;
        }
        return new double[]{median(total), median(first)};
    }

    /** A long run whose Caddie is gone (its handle kept, as the ledger keeps it), ended by a new executor from that handle. */
    static void drill(Executor e, String ref, Path repo, Path tmp) throws Exception {
        String marker = Long.toString(500_000 + System.nanoTime() % 400_000);
        Path r = Files.createDirectories(tmp.resolve("drill-" + ref.replace(':', '-')));
        Files.writeString(r.resolve("train.sh"), "echo started; sleep " + marker + "\n");
        Git.run(r, "init", "-q");
        Git.run(r, "-c", "user.email=b@b", "-c", "user.name=b", "add", ".");
        Git.run(r, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "drill");
        RunHandle h = e.start(new RunSpec(r, List.of("bash", "train.sh"), Map.of(), Duration.ofSeconds(600), r.resolve("log.txt"), ref, r, Map.of(), List.of(), "drill"));
        for (int i = 0; i < 300 && count("sleep " + marker) == 0; i++) Thread.sleep(100);
        long before = count("sleep " + marker);
        long t0 = System.nanoTime();
        e.stopOrphan(h.remote());
        for (int i = 0; i < 300 && count("sleep " + marker) > 0; i++) Thread.sleep(50);
        System.out.printf("kill -9 drill, %s: orphan running before: %d process(es); ended from its recorded handle in %.0f ms; left: %d%n",
                ref, before, (System.nanoTime() - t0) / 1e6, count("sleep " + marker));
    }

    static long count(String text) throws Exception {
        Process p = new ProcessBuilder("pgrep", "-f", "-c", text).start();
        p.waitFor(5, TimeUnit.SECONDS);
        return Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
    }

    static boolean slurmUp() {
        try {
            Process p = new ProcessBuilder("sinfo", "-h", "-o", "%T").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 && out.lines().anyMatch(x -> x.strip().matches("idle|mixed"));
        } catch (Exception e) {
            return false;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
