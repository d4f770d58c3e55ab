// Caddie's side of bench/search-vs-optuna: repeated asynchronous successive halving (rungs at a quarter
// and a half of the full budget, scored on the first 65,536 validation tokens; the full budget, scored on
// the whole split, last) with the built-in TPE proposer, until the same compute budget is spent. Prints one JSON line per finished full-budget result, like the Python side.
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
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

public class SearchVsOptuna {
    public static void main(String[] args) throws Exception {
        Path ws = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]), budgetS = Double.parseDouble(args[2]);
        int k = args.length > 3 ? Integer.parseInt(args[3]) : 4;
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
        String rungs = "MAX_WALLCLOCK_SECONDS=" + fmt(seconds / 4) + "," + fmt(seconds / 2);
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            int round = 0;
            while (spent(l) < budgetS) {
                new Tournament(task, l, new Runner(new LocalExecutor()), new SearchProposer(1337 + round), new LoopListener() {})
                        .run("bench", task.tier("full"), Tournament.rungs(rungs), java.util.Map.of("VAL_MAX_TOKENS", "65536"), k, 2.0, 1337);
                round++;
            }
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
        }
    }

    static double spent(Ledger l) {
        double s = 0;
        for (var e : l.experiments("bench")) for (RunRecord r : l.runs(e.candidate().id())) s += r.durationMs() == null ? 0 : r.durationMs() / 1000.0;
        return s;
    }

    static String fmt(double x) { return String.format(Locale.ROOT, "%.1f", x); }
}
