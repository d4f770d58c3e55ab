package dev.caddie.cli;

import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Tournament;
import dev.caddie.loop.Workspace;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "tournament", description = "Asynchronous successive halving: K proposals start on a small budget, the best 1/eta of each rung go on to the next, the last rung is the tier's own budget.")
final class TournamentCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--candidates", required = true, description = "K, the number of proposals") int k;
    @Option(names = "--rungs", required = true, description = "the budgets below the tier's, e.g. ITERATIONS=50,150 or MAX_WALLCLOCK_SECONDS=10,30") String rungs;
    @Option(names = "--eta", defaultValue = "2", description = "keep the best 1/eta of each rung (default: ${DEFAULT-VALUE})") double eta;
    @Option(names = "--tier", description = "tier of the last rung (default: the loop's tier)") String tier;
    @Option(names = "--tag", description = "experiment tag (default: the last one used, else today's)") String tag;
    @Option(names = "--seed", defaultValue = "1337") long seed;
    @Option(names = "--rung-env", description = "KEY=VALUE for the smaller rungs only, e.g. VAL_MAX_TOKENS=65536 (repeatable)") java.util.Map<String, String> rungEnv = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        var rungList = Tournament.rungs(rungs);
        try (Ledger ledger = Ledger.open(new Workspace(task.workspace()).ledgerFile())) {
            String t = LoopRunner.tag(ledger, tag);
            var git = new dev.caddie.run.Git(task.workspace());
            if (!git.refExists(dev.caddie.loop.ExperimentLoop.branch(t))) git.branchForce(dev.caddie.loop.ExperimentLoop.branch(t), git.revParse("HEAD"));
            Tournament.Result r = new Tournament(task, ledger, new Runner(new LocalExecutor()), LoopRunner.proposer("search", seed),
                    new TerminalConsole(System.out)).run(t, task.tier(tier != null ? tier : task.loop().tier()), rungList, rungEnv, k, eta, seed);
            System.out.println(r.winner() == null ? "no candidate finished the last rung" : "winner: candidate " + r.winner());
            System.out.printf(Locale.ROOT, "compute spent: %.2f full runs for %d candidates%n", r.spentFullRunEquivalents(), k);
            return r.winner() == null ? 1 : 0;
        }
    }
}
