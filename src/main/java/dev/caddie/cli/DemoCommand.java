package dev.caddie.cli;

import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.LoopOptions;
import dev.caddie.loop.Workspace;
import dev.caddie.loop.WorkspaceSetup;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "demo", description = "Create a Tiny Golf workspace and let the built-in search improve it on the 60 s local tier.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "workspace folder (default: a new temporary folder)") Path dir;
    @Option(names = "--experiments", defaultValue = "8", description = "experiments to run (default: ${DEFAULT-VALUE})") int experiments;
    @Option(names = "--minutes", description = "stop starting experiments after M minutes") Double minutes;
    @Option(names = "--tier", defaultValue = "local", description = "tier (default: ${DEFAULT-VALUE})") String tier;

    @Override
    public Integer call() throws Exception {
        Path d = dir != null ? dir.toAbsolutePath().normalize() : Files.createTempDirectory("caddie-demo-");
        System.out.println("Tiny Golf demo in " + d);
        if (!Files.exists(d.resolve(TaskSpec.FILE))) for (String line : WorkspaceSetup.init(d, "tiny-golf", false)) System.out.println("  " + line);
        TaskSpec task = TaskSpecReader.read(d);
        List<Experiment> all = LoopRunner.run(task, "search", new LoopOptions(null, experiments, minutes == null ? null : minutes / 60.0, tier, 1337), "demo");
        Optional<Experiment> best = all.stream().filter(e -> e.verdict() != null && e.verdict().verdict().equals(Verdict.KEEP))
                .filter(e -> e.run() != null && e.run().valBpb() != null).min(Comparator.comparingDouble(e -> e.run().valBpb()));
        System.out.println();
        if (best.isEmpty()) {
            System.out.println("No experiment finished with a score; see `caddie ledger list -C " + d + "`.");
            return 1;
        }
        Experiment b = best.get();
        System.out.printf(Locale.ROOT, "Best: candidate %d, val_bpb %.4f, artifact %,d bytes (limit %,d)%n", b.candidate().id(), b.run().valBpb(),
                b.run().artifactBytes(), task.limits().artifactBytes());
        System.out.println("  configuration: " + (b.candidate().env().isEmpty() ? "train.java defaults" : b.candidate().env()));
        System.out.println("  commit " + b.candidate().commit() + " on branch caddie/demo");
        System.out.println("Ledger: " + new Workspace(d).ledgerFile() + "  (caddie ledger list -C " + d + ")");
        return 0;
    }
}
