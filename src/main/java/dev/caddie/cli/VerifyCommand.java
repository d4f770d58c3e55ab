package dev.caddie.cli;

import dev.caddie.ledger.Ledger;
import dev.caddie.loop.RunVerifier;
import dev.caddie.run.Executors;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "verify", description = {"Rerun a recorded run's commit and compare the score within the tier's seed noise: a result from another "
        + "machine of a swarm is checked here, and its log against its recorded SHA-256.",
        "Exit 0: consistent (or nothing to compare with yet); 1: inconsistent; 2: the rerun failed or the log was altered."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Parameters(paramLabel = "RUN", description = "the run's id (caddie ledger show lists them)") long run;
    @Option(names = "--tier", description = "tier to rerun on (default: the run's own)") String tier;
    @Option(names = "--seed", description = "seed (default: the run's own, so the rerun should reproduce it)") Long seed;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        try (Ledger ledger = Ledger.open(task.ledgerUrl())) {
            RunVerifier.Result r;
            try {
                r = new RunVerifier(task, ledger, new Runner(Executors.of(task)), new TerminalConsole(System.out)).verify(run, tier, seed);
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().contains("SHA-256")) throw e;
                System.err.println("caddie: " + e.getMessage());
                return 2;
            }
            r.lines().forEach(System.out::println);
            return switch (r.outcome()) {
                case CONSISTENT, UNJUDGED -> 0;
                case INCONSISTENT -> 1;
                case RERUN_FAILED -> 2;
            };
        }
    }
}
