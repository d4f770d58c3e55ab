// Caddie's side of bench/search-vs-optuna: one asynchronous successive halving tournament with the built-in
// TPE proposer, fed new candidates until the compute budget is spent. Each candidate passes the micro tier
// first. Rungs below the full budget (fractions of it, or "none") score on the first 65,536 validation tokens,
// the full budget on the whole split; checkpoints (fractions, or "none") halve the runs of every rung inside
// their own budget by their train_loss. Prints one JSON line per finished full-budget result, like the Python
// side, then the rung-vs-full pairs for the tier-transfer report.
//   SearchVsOptuna WS SECONDS 0                                    set-up only
//   SearchVsOptuna WS SECONDS BUDGET_S [FRACTIONS] [ETA] [CHECKPOINTS] [SEARCH_SEED]
import dev.caddie.gate.CheckpointHalving;
import dev.caddie.gate.TierTransfer;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.loop.Calibration;
import dev.caddie.loop.LoopListener;
import dev.caddie.loop.Tournament;
import dev.caddie.loop.Workspace;
import dev.caddie.loop.WorkspaceSetup;
import dev.caddie.run.Git;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.search.SearchProposer;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

public class SearchVsOptuna {
    public static void main(String[] args) throws Exception {
        Path ws = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]), budgetS = Double.parseDouble(args[2]);
        if (!Files.exists(ws.resolve("caddie.toml"))) WorkspaceSetup.init(ws, "tiny-golf", false);
        if (budgetS <= 0) return; // set-up only: the workspace and its data
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")) + String.format(Locale.ROOT, """

                [tiers.full]
                executor = "local"
                timeout_seconds = %d
                cost_per_hour = 0.0
                env = { MAX_WALLCLOCK_SECONDS = "%s" }
                """, (int) (seconds * 4 + 120), fmt(seconds)));
        TaskSpec task = TaskSpecReader.read(ws);
        Git git = new Git(ws);
        git.branchForce("caddie/bench", git.revParse("HEAD"));
        String fractions = args.length > 3 ? args[3] : "none";
        double eta = args.length > 4 ? Double.parseDouble(args[4]) : 2;
        String checkpoints = args.length > 5 ? args[5] : "0.3,0.6";
        long searchSeed = args.length > 6 ? Long.parseLong(args[6]) : 1337; // the proposer's; every run trains with SEED=1337
        List<Tournament.Rung> lower = fractions.equals("none") ? List.of() : Tournament.rungs("MAX_WALLCLOCK_SECONDS=" + Stream.of(fractions.split(","))
                .map(f -> fmt(seconds * Double.parseDouble(f))).collect(Collectors.joining(",")));
        var settings = new Tournament.Settings(lower, Map.of("VAL_MAX_TOKENS", "65536"), 0, eta, budgetS, true,
                checkpoints.equals("none") ? List.of() : CheckpointHalving.parse(checkpoints));
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            new Tournament(task, l, new Runner(new LocalExecutor()), new SearchProposer(searchSeed), new LoopListener() {
                // progress on stderr (stdout carries the curve): one line per candidate and per finished run
                @Override public void candidate(long id, String description) { System.err.println("caddie candidate " + id + ": " + description); }
                @Override public void note(String message) { System.err.println("caddie " + message); }
            })
                    .run("bench", task.tier("full"), settings, 1337);
            // the curve: compute spent when each full-budget result finished, and the best so far
            List<RunRecord> runs = new ArrayList<>();
            for (var e : l.experiments("bench")) runs.addAll(l.runs(e.candidate().id()));
            runs.sort(Comparator.comparingLong(RunRecord::id));
            double spent = 0, best = Double.POSITIVE_INFINITY;
            int n = 0;
            for (RunRecord r : runs) {
                spent += r.durationMs() == null ? 0 : r.durationMs() / 1000.0;
                if (!r.tier().equals("full")) continue;
                Double score = r.valBpb() != null && r.artifactBytes() != null && r.artifactBytes() <= 160_000 ? r.valBpb() : null;
                if (score != null) best = Math.min(best, score);
                System.out.printf(Locale.ROOT, "{\"method\": \"caddie\", \"trial\": %d, \"compute_s\": %.1f, \"score\": %s, \"best\": %s}%n",
                        n++, spent, score == null ? "null" : score.toString(), Double.isInfinite(best) ? "null" : Double.toString(best));
            }
            System.out.printf(Locale.ROOT, "runs: %d micro, %s%d full (%d of them stopped at a checkpoint, saving %.0f s)%n",
                    runs.stream().filter(r -> r.tier().equals("micro")).count(),
                    lower.stream().map(g -> runs.stream().filter(r -> r.tier().equals("full@" + g.label())).count() + " at " + g.label() + ", ")
                            .collect(Collectors.joining()), runs.stream().filter(r -> r.tier().equals("full")).count(),
                    runs.stream().filter(r -> r.tier().equals("full") && r.status().equals("aborted")).count(), l.savedMs("bench") / 1000.0);
            // how well each rung ranked the candidates that went on to the full budget
            for (Tournament.Rung g : lower) {
                TierTransfer fit = Calibration.fit(l, "bench", "full@" + g.label(), "full");
                System.out.printf(Locale.ROOT, "transfer %s -> full: %d pairs, Spearman %s%n", g.label(), fit.n(),
                        fit.usable() ? String.format(Locale.ROOT, "%.3f", fit.spearman()) : "-");
            }
            // how well each checkpoint's train_loss ranked the full-budget runs that went on to the end
            for (double f : settings.checkpoints()) {
                List<TierTransfer.Pair> pairs = new ArrayList<>();
                for (RunRecord r : runs)
                    if (r.tier().equals("full") && r.status().equals("ok") && r.valBpb() != null && r.logPath() != null) {
                        double v = CheckpointHalving.valueAt(CheckpointHalving.curve(Path.of(r.logPath()), seconds * 1000), f);
                        if (Double.isFinite(v)) pairs.add(new TierTransfer.Pair(r.candidateId(), v, r.valBpb()));
                    }
                TierTransfer fit = new TierTransfer(pairs);
                System.out.printf(Locale.ROOT, "transfer train_loss at %.0f%% -> full val_bpb: %d runs, Spearman %s%n", 100 * f, fit.n(),
                        fit.usable() ? String.format(Locale.ROOT, "%.3f", fit.spearman()) : "-");
            }
        }
    }

    static String fmt(double x) { return String.format(Locale.ROOT, "%.1f", x); }
}
