package dev.caddie.agent;

import dev.caddie.task.AgentSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one coding-agent CLI is driven non-interactively: its command line for a prompt in a working
 * directory, what goes on its standard input, and where it reports token usage and cost. Each adapter
 * follows its CLI's documentation as read on 2026-11-24 (cited per adapter).
 */
public sealed interface AgentCli {

    /** The process to start: argv, and the bytes for its standard input (empty: closed at once). */
    record Invocation(List<String> command, byte[] stdin) {}

    /** Tokens and dollars as the CLI reported them (null where it did not). */
    record Usage(Long inputTokens, Long outputTokens, Double costUsd) {
        static final Usage NONE = new Usage(null, null, null);
    }

    Invocation invocation(AgentSpec spec, Path worktree, String prompt, List<String> editableFiles);

    Usage usage(String stdout, String stderr);

    static AgentCli of(AgentSpec spec) {
        return switch (spec.kind()) {
            case "claude" -> new ClaudeCode();
            case "codex" -> new Codex();
            case "opencode" -> new OpenCode();
            case "aider" -> new Aider();
            case "generic" -> new Generic();
            default -> throw new IllegalArgumentException("agent." + spec.name() + ".kind: '" + spec.kind() + "' is not a kind; accepted: " + AgentSpec.KINDS);
        };
    }

    ObjectMapper JSON = new ObjectMapper();

    /**
     * Claude Code, print mode (CLI reference, docs.anthropic.com/en/docs/claude-code/cli-reference):
     * {@code claude -p PROMPT --output-format json --permission-mode acceptEdits [--model M]}; the JSON
     * result carries {@code usage.input_tokens}, {@code usage.output_tokens} and {@code total_cost_usd}.
     * Standard input is closed so the CLI does not wait three seconds for piped context.
     */
    final class ClaudeCode implements AgentCli {
        public Invocation invocation(AgentSpec spec, Path worktree, String prompt, List<String> editable) {
            List<String> c = new ArrayList<>(List.of("claude", "-p", prompt, "--output-format", "json", "--permission-mode", "acceptEdits"));
            if (spec.model() != null) c.addAll(List.of("--model", spec.model()));
            c.addAll(spec.args());
            return new Invocation(c, new byte[0]);
        }

        public Usage usage(String stdout, String stderr) {
            JsonNode j = lastJson(stdout);
            if (j == null) return Usage.NONE;
            JsonNode u = j.path("usage");
            return new Usage(longOrNull(u, "input_tokens"), longOrNull(u, "output_tokens"), j.has("total_cost_usd") ? j.get("total_cost_usd").asDouble() : null);
        }
    }

    /**
     * Codex CLI, non-interactive (developers.openai.com/codex/noninteractive and the codex exec reference):
     * {@code codex exec --json --sandbox workspace-write --skip-git-repo-check --cd DIR [--model M] PROMPT};
     * JSONL events on stdout, token counts in {@code turn.completed}'s {@code usage}. Standard input is closed:
     * codex exec reads piped stdin as extra context and would otherwise wait for it.
     */
    final class Codex implements AgentCli {
        public Invocation invocation(AgentSpec spec, Path worktree, String prompt, List<String> editable) {
            List<String> c = new ArrayList<>(List.of("codex", "exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", "--cd", worktree.toString()));
            if (spec.model() != null) c.addAll(List.of("--model", spec.model()));
            c.addAll(spec.args());
            c.add(prompt);
            return new Invocation(c, new byte[0]);
        }

        public Usage usage(String stdout, String stderr) {
            long in = 0, out = 0;
            boolean any = false;
            for (String line : stdout.split("\n")) {
                JsonNode j = parse(line);
                if (j == null) continue;
                JsonNode u = j.path("usage").isMissingNode() ? j.path("params").path("usage") : j.path("usage");
                if (u.has("input_tokens")) {
                    in += u.get("input_tokens").asLong();
                    out += u.path("output_tokens").asLong();
                    any = true;
                }
            }
            return any ? new Usage(in, out, null) : Usage.NONE;
        }
    }

    /**
     * OpenCode (opencode.ai docs, "opencode run"): {@code opencode run --format json [--model provider/model] PROMPT}
     * in the working directory; JSON events whose {@code step_finish} parts carry {@code tokens} and {@code cost}.
     */
    final class OpenCode implements AgentCli {
        public Invocation invocation(AgentSpec spec, Path worktree, String prompt, List<String> editable) {
            List<String> c = new ArrayList<>(List.of("opencode", "run", "--format", "json"));
            if (spec.model() != null) c.addAll(List.of("--model", spec.model()));
            c.addAll(spec.args());
            c.add(prompt);
            return new Invocation(c, new byte[0]);
        }

        public Usage usage(String stdout, String stderr) {
            long in = 0, out = 0;
            double cost = 0;
            boolean any = false;
            for (String line : stdout.split("\n")) {
                JsonNode j = parse(line);
                if (j == null) continue;
                JsonNode part = j.has("part") ? j.get("part") : j;
                if (part.has("tokens")) {
                    in += part.get("tokens").path("input").asLong();
                    out += part.get("tokens").path("output").asLong();
                    cost += part.path("cost").asDouble();
                    any = true;
                }
            }
            return any ? new Usage(in, out, cost) : Usage.NONE;
        }
    }

    /**
     * Aider, scripted (aider.chat/docs/scripting.html): {@code aider --message PROMPT --yes-always --no-auto-commits
     * --no-stream [--model M] FILE...} with the editable files in the chat; it prints
     * "Tokens: 2.1k sent, 180 received. Cost: $0.01 message, $0.02 session."
     */
    final class Aider implements AgentCli {
        private static final Pattern TOKENS = Pattern.compile("Tokens: ([0-9.]+)(k?) sent, ([0-9.]+)(k?) received\\.(?: Cost: \\$([0-9.]+) message)?");

        public Invocation invocation(AgentSpec spec, Path worktree, String prompt, List<String> editable) {
            List<String> c = new ArrayList<>(List.of("aider", "--message", prompt, "--yes-always", "--no-auto-commits", "--no-stream"));
            if (spec.model() != null) c.addAll(List.of("--model", spec.model()));
            c.addAll(spec.args());
            c.addAll(editable);
            return new Invocation(c, new byte[0]);
        }

        public Usage usage(String stdout, String stderr) {
            Matcher m = TOKENS.matcher(stdout + "\n" + stderr);
            long in = 0, out = 0;
            double cost = 0;
            boolean any = false, costs = false;
            while (m.find()) {
                in += scaled(m.group(1), m.group(2));
                out += scaled(m.group(3), m.group(4));
                if (m.group(5) != null) {
                    cost += Double.parseDouble(m.group(5));
                    costs = true;
                }
                any = true;
            }
            return any ? new Usage(in, out, costs ? cost : null) : Usage.NONE;
        }

        private static long scaled(String n, String k) { return Math.round(Double.parseDouble(n) * (k.isEmpty() ? 1 : 1000)); }
    }

    /** Any other CLI: the configured command, run in the worktree, with the prompt on standard input. */
    final class Generic implements AgentCli {
        public Invocation invocation(AgentSpec spec, Path worktree, String prompt, List<String> editable) {
            if (spec.command().isEmpty()) throw new IllegalArgumentException("agent." + spec.name() + ".command: a generic agent needs command = [\"prog\", \"arg\", ...]");
            List<String> c = new ArrayList<>(spec.command());
            c.addAll(spec.args());
            return new Invocation(c, prompt.getBytes(StandardCharsets.UTF_8));
        }

        public Usage usage(String stdout, String stderr) {
            JsonNode j = lastJson(stdout);
            if (j == null || !j.has("usage")) return Usage.NONE;
            JsonNode u = j.get("usage");
            return new Usage(longOrNull(u, "input_tokens"), longOrNull(u, "output_tokens"), u.has("cost_usd") ? u.get("cost_usd").asDouble() : null);
        }
    }

    private static JsonNode parse(String line) {
        String t = line.strip();
        if (!t.startsWith("{")) return null;
        try {
            return JSON.readTree(t);
        } catch (Exception e) {
            return null;
        }
    }

    private static JsonNode lastJson(String stdout) {
        JsonNode whole = parse(stdout.strip().replace("\n", " "));
        if (whole != null) return whole;
        JsonNode last = null;
        for (String line : stdout.split("\n")) {
            JsonNode j = parse(line);
            if (j != null) last = j;
        }
        return last;
    }

    private static Long longOrNull(JsonNode n, String f) { return n.has(f) ? n.get(f).asLong() : null; }
}
