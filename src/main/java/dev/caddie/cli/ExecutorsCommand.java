package dev.caddie.cli;

import dev.caddie.run.CannotStartException;
import dev.caddie.run.Executor;
import dev.caddie.run.Executors;
import dev.caddie.task.ExecutorSpec;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import dev.caddie.task.Tier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "executors", description = "The machines remote tiers run on ([executor.NAME] in caddie.toml).",
        subcommands = ExecutorsCommand.Check.class)
final class ExecutorsCommand extends ParentCommand {
    @Command(name = "check", description = "Connects to each configured executor (or the one named) and says what would keep runs from working there: "
            + "the connection or key, the workdir, the workspace with the task's data, the programs runs need, and for Slurm whether the cluster accepts sbatch_args. "
            + "Exit 0 when all are ready, 1 when one is not.")
    static final class Check implements Callable<Integer> {
        @Mixin WorkspaceOption ws;

        @Parameters(arity = "0..1", paramLabel = "NAME", description = "One executor, as NAME or KIND:NAME (default: all)")
        String only;

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            List<ExecutorSpec> specs = new ArrayList<>(task.executors().values());
            if (only != null) {
                String name = only.substring(only.indexOf(':') + 1);
                specs = specs.stream().filter(s -> s.name().equals(name)).toList();
                if (specs.isEmpty()) {
                    System.err.println("caddie: no executor '" + only + "' in caddie.toml; configured: "
                            + (task.executors().isEmpty() ? "none (add an [executor.NAME] table with kind, host and workdir)"
                            : String.join(", ", task.executors().values().stream().map(ExecutorSpec::ref).toList())));
                    return 2;
                }
            }
            if (specs.isEmpty()) {
                System.out.println("no remote executors configured: every tier runs on this machine (executor = \"local\")");
                return 0;
            }
            Executors executors = Executors.of(task);
            boolean allReady = true;
            for (ExecutorSpec s : specs) {
                List<String> tiers = task.tiers().values().stream().filter(t -> t.executor().equals(s.ref())).map(Tier::name).toList();
                String where = s.ref() + " (" + (s.host() == null ? "this machine" : "ssh " + s.host()) + ", workdir " + s.workdir()
                        + (tiers.isEmpty() ? ", used by no tier" : ", tiers " + String.join(", ", tiers)) + ")";
                Executor e = executors.get(s.ref());
                long t0 = System.nanoTime();
                try {
                    List<String> problems = e.check();
                    if (problems.isEmpty()) {
                        System.out.printf(Locale.ROOT, "%s: ready (checked in %.1f s)%n", where, (System.nanoTime() - t0) / 1e9);
                    } else {
                        allReady = false;
                        System.out.println(where + ": not ready");
                        for (String p : problems) System.out.println("  - " + p);
                    }
                } catch (CannotStartException x) {
                    allReady = false;
                    System.out.println(where + ": " + x.status().word);
                    System.out.println("  - " + x.getMessage());
                }
            }
            return allReady ? 0 : 1;
        }
    }
}
