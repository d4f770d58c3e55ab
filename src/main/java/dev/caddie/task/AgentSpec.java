package dev.caddie.task;

import java.util.List;
import java.util.Map;

/**
 * One configured coding agent, from {@code [agent.NAME]} in caddie.toml.
 *
 * @param kind           claude, codex, opencode, aider or generic
 * @param command        for generic: the program and its arguments (the prompt arrives on standard input)
 * @param model          the model to ask for, when the CLI takes one (null: the CLI's default)
 * @param args           extra arguments appended to the adapter's command line
 * @param timeoutSeconds the run is killed (its whole process tree) after this long
 */
public record AgentSpec(String name, String kind, List<String> command, String model, List<String> args, int timeoutSeconds, Map<String, String> env) {
    public static final List<String> KINDS = List.of("claude", "codex", "opencode", "aider", "generic");

    public AgentSpec {
        command = command == null ? List.of() : List.copyOf(command);
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
