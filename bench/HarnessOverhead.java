// Harness overhead: what Caddie itself spends per experiment outside any training process (worktree, commit,
// gates, ledger, log capture and parsing), measured around a trivial run command on a real Tiny Golf
// workspace, apart from the runs Caddie chooses to spend: the micro tier before each candidate and the
// first candidate's noise seeds. Run with bench/harness-overhead.
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
            // Every run of every candidate, not only its latest: micro runs and noise seeds are compute Caddie chose to spend.
            double micro = 0, noise = 0, tier = 0;
            int microRuns = 0, noiseRuns = 0;
            for (Experiment e : all) {
                List<dev.caddie.ledger.RunRecord> runs = ledger.runs(e.candidate().id());
                for (dev.caddie.ledger.RunRecord r : runs) {
                    if (r.durationMs() == null) continue;
                    if (r.tier().equals("micro")) { micro += r.durationMs(); microRuns++; }
                    else if (r.seed() != 1337) { noise += r.durationMs(); noiseRuns++; }
                    else tier += r.durationMs();
                }
            }
            double own = (totalMs - micro - noise - tier) / all.size();
            System.out.printf("experiments: %d on a Tiny Golf workspace (trivial run command on the tier)%n", all.size());
            System.out.printf("wall per experiment: %.1f ms%n", totalMs / all.size());
            System.out.printf("  Caddie's own overhead (worktree, commit, gates, ledger, parsing): %.1f ms (target <= 1000 ms)%n", own);
            System.out.printf("  the tier's run process: %.1f ms%n", tier / all.size());
            System.out.printf("  the micro tier Caddie runs first: %.1f ms per candidate (%d runs of %.1f ms each)%n", micro / all.size(), microRuns,
                    microRuns == 0 ? 0 : micro / microRuns);
            System.out.printf("  noise seeds of the first scored candidate: %d runs, %.1f ms in all%n", noiseRuns, noise);
            System.out.printf("own overhead as a share of a 60 s local run: %.2f%% (target <= 2%%)%n", 100 * own / 60_000);
        }
    }
}
