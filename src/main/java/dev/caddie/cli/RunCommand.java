package dev.caddie.cli;

import dev.caddie.loop.LoopOptions;
import dev.caddie.gate.CheckpointHalving;
import dev.caddie.loop.Tournament;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "run", description = "Run the keep/discard loop: propose, gate, run, keep or discard. Ctrl-C stops cleanly; run again to resume.")
final class RunCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;

    @Option(names = "--experiments", description = "stop after N experiments") Integer experiments;
    @Option(names = "--hours", description = "stop starting experiments after H hours") Double hours;
    @Option(names = "--tier", description = "tier to run on (default: [loop] tier in caddie.toml)") String tier;
    @Option(names = "--proposer", defaultValue = "search", description = "who proposes candidates: search (default) or agent:NAME ([agent.NAME] in caddie.toml)") String proposer;
    @Option(names = "--unsandboxed", description = "run coding agents without bubblewrap (only where bwrap cannot run; the diff check still applies)") boolean unsandboxed;
    @Option(names = "--tag", description = "experiment tag; the branch is caddie/TAG (default: the last one, else today's)") String tag;
    @Option(names = "--seed", defaultValue = "1337", description = "training seed (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--rungs", description = "tournament mode: asynchronous successive halving with these budgets below the tier's, "
            + "e.g. MAX_WALLCLOCK_SECONDS=7,20 (--experiments caps the candidates, --hours the hours of runs)") String rungs;
    @Option(names = "--eta", defaultValue = "3", description = "tournament mode: keep the best 1/eta of each rung (default: ${DEFAULT-VALUE})") double eta;
    @Option(names = "--rung-env", description = "tournament mode: KEY=VALUE for the smaller rungs only, e.g. VAL_MAX_TOKENS=65536 (repeatable)")
    java.util.Map<String, String> rungEnv = new java.util.LinkedHashMap<>();
    @Option(names = "--checkpoints", description = "tournament mode: fractions of each run's budget, e.g. 0.5,0.75, where a run goes on only "
            + "while its train_loss is in the best 1/eta of the runs there (works without --rungs)") String checkpoints;

    @Option(names = "--dashboard", arity = "0..1", fallbackValue = "8765", paramLabel = "PORT",
            description = "serve the dashboard on 127.0.0.1 beside the loop (port 8765 unless given); it stops with the loop") Integer dashboard;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        LoopRunner.checkLimits(experiments, hours);
        if (dashboard == null) return loop(task);
        if (dashboard < 0 || dashboard > 65535) throw new IllegalArgumentException("--dashboard port must be 0..65535, got " + dashboard);
        java.nio.file.Files.createDirectories(new dev.caddie.loop.Workspace(task.workspace()).caddieDir());
        // its own connection to the ledger: the loop writes through its own, the database keeps the two consistent
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(task.ledgerUrl());
             var server = new dev.caddie.dashboard.DashboardServer(new dev.caddie.dashboard.DashboardData(task, l), "127.0.0.1", dashboard, null)) {
            System.err.println("caddie: dashboard on http://127.0.0.1:" + server.port() + "/");
            return loop(task);
        }
    }

    private int loop(TaskSpec task) throws Exception {
        if (rungs != null || checkpoints != null) {
            if (experiments != null && experiments < 2)
                throw new IllegalArgumentException("--experiments must be at least 2 in tournament mode (--rungs, --checkpoints): a rung keeps the best 1/eta of several candidates");
            if (!proposer.equals("search"))
                throw new IllegalArgumentException("--rungs and --checkpoints (tournament mode) work with the built-in search; drop --proposer " + proposer);
            var settings = new Tournament.Settings(rungs == null ? java.util.List.of() : Tournament.rungs(rungs), rungEnv,
                    experiments == null ? 0 : experiments, eta, hours == null ? 0 : hours * 3600, task.loop().microFirst(),
                    checkpoints == null ? java.util.List.of() : CheckpointHalving.parse(checkpoints));
            return LoopRunner.tournament(task, settings, tier, tag, seed).halted() == null ? 0 : 1;
        }
        return LoopRunner.run(task, proposer, new LoopOptions(null, experiments, hours, tier, seed), tag, unsandboxed).report();
    }
}
