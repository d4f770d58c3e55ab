package dev.caddie.cli;

import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Promoter;
import dev.caddie.loop.Workspace;
import dev.caddie.run.Executors;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "promote", description = "Run queued (kept) candidates on the promotion tier, each run's worst-case cost reserved against the budget first.")
final class PromoteCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--max", defaultValue = "1", description = "promotions to run at most (default: ${DEFAULT-VALUE})") int max;
    @Option(names = "--tag", description = "experiment tag (default: the last one used)") String tag;
    @Option(names = "--seed", defaultValue = "1337", description = "first seed (default: ${DEFAULT-VALUE})") long seed;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        try (Ledger ledger = Ledger.open(task.ledgerUrl())) {
            String t = LoopRunner.existingTag(ledger, tag);
            var said = new Promoter(task, ledger, new Runner(Executors.of(task)), new TerminalConsole(System.out)).run(t, max, seed);
            if (said.isEmpty()) System.out.println("nothing queued for " + task.budget().promoteTier() + " on tag " + t);
            said.forEach(System.out::println);
            return said.stream().anyMatch(x -> x.contains("budget:")) ? 1 : 0;
        }
    }
}
