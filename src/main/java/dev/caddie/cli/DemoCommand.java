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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "demo", description = "Create a Tiny Golf workspace and let the built-in search improve it on the 60 s local tier.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "workspace folder, kept afterwards (default: a temporary folder, removed at the end unless --keep)") Path dir;
    @Option(names = "--keep", description = "keep the temporary workspace (its ledger, runs and branches) after the demo") boolean keep;
    @Option(names = "--experiments", defaultValue = "8", description = "experiments to run (default: ${DEFAULT-VALUE})") int experiments;
    @Option(names = "--minutes", description = "stop starting experiments after M minutes") Double minutes;
    @Option(names = "--tier", defaultValue = "local", description = "tier (default: ${DEFAULT-VALUE})") String tier;

    @Override
    public Integer call() throws Exception {
        // Checked before the workspace is built: a bad limit should not cost a minute of data preparation first.
        LoopRunner.checkLimits(experiments, minutes == null ? null : minutes / 60.0);
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir))
            throw new IllegalArgumentException("--dir " + dir + " is a file, not a folder; give a new or empty folder (or one an earlier demo made)");
        boolean temporary = dir == null;
        Path d = temporary ? Files.createTempDirectory("caddie-demo-") : dir.toAbsolutePath().normalize();
        System.out.println("Tiny Golf demo in " + d + (temporary && !keep ? " (removed at the end; --keep keeps it)" : ""));
        try {
            if (!Files.exists(d.resolve(TaskSpec.FILE))) for (String line : WorkspaceSetup.init(d, "tiny-golf", false)) System.out.println("  " + line);
            TaskSpec task = TaskSpecReader.read(d);
            if (task.loop().keepRule().equals("noise"))
                System.out.printf(Locale.ROOT, "The baseline runs %d times on %s with different seeds first: how much val_bpb moves by chance alone "
                        + "decides how much better a candidate must be to be kept.%s%n", task.loop().noiseSeeds(), tier,
                        tier.equals("micro") ? "" : " Each candidate also runs a few seconds on the micro tier first.");
            LoopRunner.Outcome out = LoopRunner.run(task, "search", new LoopOptions(null, experiments, minutes == null ? null : minutes / 60.0, tier, 1337), "demo");
            return summary(task, d, out, temporary && !keep);
        } finally {
            if (temporary && !keep) delete(d);
        }
    }

    private static int summary(TaskSpec task, Path d, LoopRunner.Outcome out, boolean removed) {
        Optional<Experiment> best = out.experiments().stream().filter(e -> e.verdict() != null && e.verdict().verdict().equals(Verdict.KEEP))
                .filter(e -> e.run() != null && e.run().valBpb() != null).min(Comparator.comparingDouble(e -> e.run().valBpb()));
        System.out.println();
        int halted = out.report();
        if (best.isEmpty()) {
            System.out.println("No experiment finished with a score" + (removed ? "; run again with --keep to look at the ledger." : "; see `caddie ledger list -C " + d + "`."));
            return 1;
        }
        Experiment b = best.get();
        System.out.printf(Locale.ROOT, "Best: candidate %d, val_bpb %.4f, artifact %,d bytes (limit %,d)%n", b.candidate().id(), b.run().valBpb(),
                b.run().artifactBytes(), task.limits().artifactBytes());
        System.out.println("  configuration: " + (b.candidate().env().isEmpty() ? "train.java defaults" : b.candidate().env()));
        if (removed) System.out.println("The workspace is removed now; run with --keep (or --dir DIR) to keep its ledger and branch caddie/demo.");
        else {
            System.out.println("  commit " + b.candidate().commit() + " on branch caddie/demo");
            System.out.println("Ledger: " + new Workspace(d).ledgerFile() + "  (caddie ledger list -C " + Launcher.quoted(d) + ")");
        }
        return halted;
    }

    private static void delete(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("caddie: could not remove " + d + ": " + e.getMessage());
        }
    }
}
