package dev.caddie.cli;

import dev.caddie.gate.CheckpointHalving;
import dev.caddie.loop.Tournament;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tournament", description = "Asynchronous successive halving: proposals start on a small budget, the best 1/eta of each rung go on to the next, the last rung is the tier's own budget; with checkpoints, runs are also halved inside their budget.")
final class TournamentCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--candidates", description = "K, the number of proposals (default: as many as the budget allows)") Integer k;
    @Option(names = "--budget-minutes", description = "stop starting runs once this many minutes of runs (micro runs included) are spent") Double budgetMinutes;
    @Option(names = "--rungs", description = "the budgets below the tier's, e.g. ITERATIONS=50,150 or MAX_WALLCLOCK_SECONDS=10,30") String rungs;
    @Option(names = "--checkpoints", description = "fractions of each run's budget, e.g. 0.5,0.75, where a run goes on only while its train_loss "
            + "is in the best 1/eta of the runs on its rung there (without --rungs every candidate runs the tier's budget)") String checkpoints;
    @Option(names = "--eta", defaultValue = "2", description = "keep the best 1/eta of each rung (default: ${DEFAULT-VALUE})") double eta;
    @Option(names = "--tier", description = "tier of the last rung (default: the loop's tier)") String tier;
    @Option(names = "--tag", description = "experiment tag (default: the last one used, else today's)") String tag;
    @Option(names = "--seed", defaultValue = "1337") long seed;
    @Option(names = "--rung-env", description = "KEY=VALUE for the smaller rungs only, e.g. VAL_MAX_TOKENS=65536 (repeatable)") java.util.Map<String, String> rungEnv = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (k == null && budgetMinutes == null) throw new IllegalArgumentException("give --candidates K, --budget-minutes M, or both");
        if (rungs == null && checkpoints == null)
            throw new IllegalArgumentException("give --rungs (shorter runs first), --checkpoints (halving inside each run), or both; e.g. --checkpoints 0.5,0.75");
        TaskSpec task = TaskSpecReader.read(ws.path());
        var settings = new Tournament.Settings(rungs == null ? List.of() : Tournament.rungs(rungs), rungEnv, k == null ? 0 : k, eta,
                budgetMinutes == null ? 0 : budgetMinutes * 60, task.loop().microFirst(),
                checkpoints == null ? List.of() : CheckpointHalving.parse(checkpoints));
        return LoopRunner.tournament(task, settings, tier, tag, seed).winner() == null ? 1 : 0;
    }
}
