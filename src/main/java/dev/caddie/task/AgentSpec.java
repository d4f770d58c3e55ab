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
 * @param passEnv        credentials of Caddie's environment the agent gets (default: its CLI's own API key variables)
 */
public record AgentSpec(String name, String kind, List<String> command, String model, List<String> args, int timeoutSeconds, Map<String, String> env,
                        List<String> passEnv) {
    public static final List<String> KINDS = List.of("claude", "codex", "opencode", "aider", "generic");

    public AgentSpec {
        command = command == null ? List.of() : List.copyOf(command);
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        passEnv = passEnv == null ? defaultPassEnv(kind) : List.copyOf(passEnv);
    }

    public AgentSpec(String name, String kind, List<String> command, String model, List<String> args, int timeoutSeconds, Map<String, String> env) {
        this(name, kind, command, model, args, timeoutSeconds, env, null);
    }

    /** The key variables each agent CLI reads; every other credential stays out of the agent's process. */
    static List<String> defaultPassEnv(String kind) {
        return switch (kind == null ? "" : kind) {
            case "claude" -> List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN");
            case "codex" -> List.of("OPENAI_API_KEY", "CODEX_API_KEY");
            case "opencode", "aider" -> List.of("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "GEMINI_API_KEY");
            default -> List.of();
        };
    }
}
