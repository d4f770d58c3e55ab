// Harness overhead: what Caddie spends per experiment outside the training process (worktree, commit,
// gates, ledger, log capture and parsing), measured around a trivial run command on a real Tiny Golf
// workspace. Run with bench/harness-overhead.
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.ExperimentLoop;
import dev.caddie.loop.LoopListener;
import dev.caddie.loop.LoopOptions;
import dev.caddie.loop.Workspace;
import dev.caddie.loop.WorkspaceSetup;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.search.SearchProposer;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

public class HarnessOverhead {
    static final String TRIVIAL_TIER = """

            [tiers.trivial]
            executor = "local"
            command = ["bash", "-c", "echo 'step:1/1 train_loss:5.0000 train_time:1ms step_avg:1.00ms'; echo 'Total submission size int6+zlib: 120000 bytes'; echo 'final_int6_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:2.88539008'"]
            timeout_seconds = 60
            cost_per_hour = 0.0
            """;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path ws = Files.createTempDirectory("caddie-bench-");
        WorkspaceSetup.init(ws, "tiny-golf", false);
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")) + TRIVIAL_TIER);
        TaskSpec task = TaskSpecReader.read(ws);
        try (Ledger ledger = Ledger.open(new Workspace(ws).ledgerFile())) {
            ExperimentLoop loop = new ExperimentLoop(task, ledger, new Runner(new LocalExecutor()), new SearchProposer(1), new LoopListener() {});
            loop.run(new LoopOptions("warmup", 3, null, "trivial", 1337)); // JIT and file caches
            long t0 = System.nanoTime();
            List<Experiment> all = loop.run(new LoopOptions("bench", n, null, "trivial", 1337));
            double totalMs = (System.nanoTime() - t0) / 1e6;
            long[] runMs = all.stream().filter(e -> e.run() != null).mapToLong(e -> e.run().durationMs()).toArray();
            double runTotal = Arrays.stream(runMs).sum();
            double overhead = (totalMs - runTotal) / all.size();
            System.out.printf("experiments: %d on a Tiny Golf workspace (trivial run command)%n", all.size());
            System.out.printf("wall per experiment: %.1f ms, of which the run process: %.1f ms%n", totalMs / all.size(), runTotal / all.size());
            System.out.printf("harness overhead per experiment: %.1f ms (target <= 1000 ms)%n", overhead);
            System.out.printf("overhead as a share of a 60 s local run: %.2f%% (target <= 2%%)%n", 100 * overhead / 60_000);
        }
    }
}
