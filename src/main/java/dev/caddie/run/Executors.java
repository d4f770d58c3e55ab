package dev.caddie.run;

import dev.caddie.task.ExecutorSpec;
import dev.caddie.task.TaskSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;

/** The executors a task's tiers name, by their "local" or "KIND:NAME" reference. */
public final class Executors {
    private final Function<String, Executor> byRef;
    private final java.util.Collection<Executor> all;

    private Executors(Function<String, Executor> byRef, java.util.Collection<Executor> all) {
        this.byRef = byRef;
        this.all = all;
    }

    /** One executor for every tier, whatever the tier names (tests, and commands that only run locally). */
    public static Executors only(Executor e) { return new Executors(ref -> e, List.of(e)); }

    /** "local" plus every [executor.NAME] of the task. */
    public static Executors of(TaskSpec task) {
        Map<String, Executor> all = new LinkedHashMap<>();
        all.put("local", new LocalExecutor());
        for (ExecutorSpec s : task.executors().values()) all.put(s.ref(), create(s));
        return new Executors(ref -> {
            Executor e = all.get(ref);
            if (e == null) throw new IllegalArgumentException("no executor '" + ref + "'; configured: " + String.join(", ", all.keySet()));
            return e;
        }, all.values());
    }

    static Executor create(ExecutorSpec s) {
        return switch (s.kind()) {
            case "ssh" -> new SshExecutor(s);
            case "slurm" -> new SlurmExecutor(s);
            case "runpod" -> new RunPodExecutor(s);
            default -> throw new IllegalArgumentException("executor kind " + s.kind() + " is not known to this Caddie");
        };
    }

    /**
     * Ends, on every executor, what the workspace holds there that no live run owns (pods a dead Caddie rented); says
     * what was ended, and which executor could not be asked.
     */
    public List<String> reapAll(Path workspace, Set<String> liveRemotes) {
        List<String> said = new ArrayList<>();
        for (Executor e : all) {
            try {
                for (String x : e.reap(workspace, liveRemotes)) said.add(e.name() + ": terminated " + x + ", which no live run owned");
            } catch (java.io.IOException x) {
                said.add(e.name() + ": could not look for orphans: " + x.getMessage());
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                return said;
            }
        }
        return said;
    }

    public Executor get(String ref) { return byRef.apply(ref == null ? "local" : ref); }
}
