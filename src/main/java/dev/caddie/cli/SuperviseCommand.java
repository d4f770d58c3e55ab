package dev.caddie.cli;

import dev.caddie.agent.Supervisor;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Workspace;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "supervise", sortOptions = false,
        description = {"Run the agent roles as child processes and keep them running.",
                "A failed role restarts with exponential backoff up to --max-attempts, then is reported failed with the reason.",
                "Ctrl-C stops every child; after a kill -9, the next start stops the orphans."})
final class SuperviseCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--agent", description = "the experiment role: `caddie run --proposer agent:NAME` as a child") String agent;
    @Option(names = "--tier", description = "tier for the experiment role (default: [loop] tier)") String tier;
    @Option(names = "--experiments", description = "experiments the experiment role runs, then finishes") Integer experiments;
    @Option(names = "--tag", description = "experiment tag for the experiment role") String tag;
    @Option(names = "--unsandboxed", description = "run the agents without bubblewrap") boolean unsandboxed;
    @Option(names = "--role", paramLabel = "NAME=COMMAND", description = "another role: a command (split at spaces) to keep running") Map<String, String> extra;
    @Option(names = "--max-attempts", defaultValue = "5", description = "attempts before a role is reported failed (default: ${DEFAULT-VALUE})") int maxAttempts;
    @Option(names = "--backoff", defaultValue = "2", description = "seconds before the first restart, doubling after each (default: ${DEFAULT-VALUE})") double backoff;
    @Option(names = "--silence", defaultValue = "3600", description = "seconds without output before a role counts as hung (default: ${DEFAULT-VALUE})") double silence;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        List<Supervisor.Role> roles = new ArrayList<>();
        if (agent != null) {
            task.agent(agent); // fails now, naming the agents there are, rather than in the child
            List<String> cmd = new ArrayList<>(self());
            cmd.addAll(List.of("run", "--proposer", "agent:" + agent, "-C", task.workspace().toString()));
            if (tier != null) cmd.addAll(List.of("--tier", tier));
            if (experiments != null) cmd.addAll(List.of("--experiments", experiments.toString()));
            if (tag != null) cmd.addAll(List.of("--tag", tag));
            if (unsandboxed) cmd.add("--unsandboxed");
            roles.add(new Supervisor.Role("experiment", cmd));
        }
        if (extra != null) extra.forEach((name, command) -> roles.add(new Supervisor.Role(name, Arrays.asList(command.trim().split("\\s+")))));
        if (roles.isEmpty()) throw new IllegalArgumentException("no role to supervise: give --agent NAME (the experiment role) and/or --role NAME=COMMAND");
        Workspace w = new Workspace(task.workspace());
        Files.createDirectories(w.caddieDir());
        try (Ledger ledger = Ledger.open(task.ledgerUrl())) {
            Supervisor.recoverOrphans(ledger).forEach(System.out::println);
            Supervisor s = new Supervisor(ledger, roles, maxAttempts, Duration.ofMillis((long) (backoff * 1000)), Duration.ofMillis((long) (silence * 1000)),
                    w.caddieDir().resolve("roles"), System.out::println);
            Thread hook = new Thread(() -> {
                System.out.println("caddie: stopping every role");
                s.stop();
            });
            Runtime.getRuntime().addShutdownHook(hook);
            List<String> failed = s.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
            for (Ledger.Role r : ledger.roles())
                System.out.println("role " + r.name() + ": " + r.state() + (r.reason() == null ? "" : " (" + r.reason() + ")") + " after " + r.attempts() + " attempt(s)");
            return failed.isEmpty() ? 0 : 1;
        }
    }

    /** This same Caddie, on the same JDK and class path, for the experiment role's child. */
    private static List<String> self() {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), CaddieCommand.class.getName());
    }
}
