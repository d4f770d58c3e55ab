package dev.caddie.cli;

import dev.caddie.ledger.Ledger;
import dev.caddie.run.Executors;
import dev.caddie.run.RunPodApi;
import dev.caddie.run.RunPodExecutor;
import dev.caddie.task.ExecutorSpec;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "pods", description = "The RunPod pods this workspace rented (named caddie-<workspace id>-...).",
        subcommands = {PodsCommand.ListPods.class, PodsCommand.Reap.class})
final class PodsCommand extends ParentCommand {
    private static List<ExecutorSpec> runpods(TaskSpec task) {
        List<ExecutorSpec> specs = task.executors().values().stream().filter(s -> s.kind().equals("runpod")).toList();
        if (specs.isEmpty()) throw new IllegalArgumentException("no runpod executor in caddie.toml: add an [executor.NAME] with kind = \"runpod\"");
        return specs;
    }

    @Command(name = "list", description = "Each pod of this workspace that RunPod lists: id, name, status, price per hour, created, and whether a live run owns it.")
    static final class ListPods implements Callable<Integer> {
        @Mixin WorkspaceOption ws;

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            Set<String> live;
            try (Ledger l = LedgerCommand.open(ws)) { live = l.liveRemotes(); }
            Executors executors = Executors.of(task);
            int n = 0;
            for (ExecutorSpec s : runpods(task)) {
                RunPodExecutor e = (RunPodExecutor) executors.get(s.ref());
                for (RunPodApi.Pod p : e.pods(task.workspace())) {
                    boolean owned = live.stream().anyMatch(r -> r.contains("\"" + p.id() + "\""));
                    System.out.printf(Locale.ROOT, "%-16s %-40s %-12s $%6.2f/h  created %s  %s%n", p.id(), p.name(), p.status(), p.costPerHour(),
                            p.createdAt(), owned ? "owned by a live run" : "no live run: `caddie pods reap` terminates it");
                    n++;
                }
            }
            if (n == 0) System.out.println("no pods of this workspace");
            return 0;
        }
    }

    @Command(name = "reap", description = "Terminates (never only stops) every pod of this workspace that no live run owns.")
    static final class Reap implements Callable<Integer> {
        @Mixin WorkspaceOption ws;

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            runpods(task);
            Set<String> live;
            try (Ledger l = LedgerCommand.open(ws)) {
                l.recoverInterrupted(Executors.of(task));
                live = l.liveRemotes();
            }
            List<String> said = Executors.of(task).reapAll(task.workspace(), live);
            said.forEach(System.out::println);
            if (said.isEmpty()) System.out.println("nothing to reap: every pod of this workspace is owned by a live run, or there are none");
            return said.stream().anyMatch(x -> x.contains("could not")) ? 1 : 0;
        }
    }
}
