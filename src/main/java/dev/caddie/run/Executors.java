package dev.caddie.run;

import dev.caddie.task.ExecutorSpec;
import dev.caddie.task.TaskSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The executors a task's tiers name, by their "local" or "KIND:NAME" reference. */
public final class Executors {
    private final Function<String, Executor> byRef;

    private Executors(Function<String, Executor> byRef) { this.byRef = byRef; }

    /** One executor for every tier, whatever the tier names (tests, and commands that only run locally). */
    public static Executors only(Executor e) { return new Executors(ref -> e); }

    /** "local" plus every [executor.NAME] of the task. */
    public static Executors of(TaskSpec task) {
        Map<String, Executor> all = new LinkedHashMap<>();
        all.put("local", new LocalExecutor());
        for (ExecutorSpec s : task.executors().values()) all.put(s.ref(), create(s));
        return new Executors(ref -> {
            Executor e = all.get(ref);
            if (e == null) throw new IllegalArgumentException("no executor '" + ref + "'; configured: " + String.join(", ", all.keySet()));
            return e;
        });
    }

    static Executor create(ExecutorSpec s) {
        return switch (s.kind()) {
            case "ssh" -> new SshExecutor(s);
            case "slurm" -> new SlurmExecutor(s);
            default -> throw new IllegalArgumentException("executor kind " + s.kind() + " is not known to this Caddie");
        };
    }

    public Executor get(String ref) { return byRef.apply(ref == null ? "local" : ref); }
}
