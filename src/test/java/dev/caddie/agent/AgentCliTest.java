package dev.caddie.agent;

import dev.caddie.task.AgentSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each adapter's command line as its CLI documents it, and the usage each CLI reports. */
class AgentCliTest {
    private static final Path WT = Path.of("/ws/.caddie/worktrees/wt-1");

    private static AgentSpec spec(String kind, String model, List<String> command) {
        return new AgentSpec("a", kind, command, model, List.of(), 600, Map.of());
    }

    @Test
    void claudeCodeRunsInPrintModeWithJsonOutputAndAcceptedEdits() {
        var inv = AgentCli.of(spec("claude", "sonnet", null)).invocation(spec("claude", "sonnet", null), WT, "do one thing", List.of("train_gpt.py"));
        assertThat(inv.command()).containsExactly("claude", "-p", "do one thing", "--output-format", "json", "--permission-mode", "acceptEdits", "--model", "sonnet");
        assertThat(inv.stdin()).isEmpty();
        var u = new AgentCli.ClaudeCode().usage("{\"type\":\"result\",\"result\":\"done\",\"total_cost_usd\":0.0421,\"usage\":{\"input_tokens\":1200,\"output_tokens\":340}}", "");
        assertThat(u).isEqualTo(new AgentCli.Usage(1200L, 340L, 0.0421));
    }

    @Test
    void codexRunsExecWithJsonEventsAWorkspaceWriteSandboxAndTheWorktreeAsItsDirectory() {
        var inv = new AgentCli.Codex().invocation(spec("codex", null, null), WT, "do one thing", List.of());
        assertThat(inv.command()).containsExactly("codex", "exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", "--cd", WT.toString(), "do one thing");
        var u = new AgentCli.Codex().usage("""
                {"type":"thread.started","thread_id":"t1"}
                {"type":"turn.completed","usage":{"input_tokens":900,"cached_input_tokens":100,"output_tokens":50}}
                {"type":"turn.completed","usage":{"input_tokens":300,"output_tokens":25}}
                """, "");
        assertThat(u).isEqualTo(new AgentCli.Usage(1200L, 75L, null));
    }

    @Test
    void openCodeRunsWithJsonFormatAndAProviderModel() {
        var inv = new AgentCli.OpenCode().invocation(spec("opencode", "anthropic/claude-sonnet-4", null), WT, "do one thing", List.of());
        assertThat(inv.command()).containsExactly("opencode", "run", "--format", "json", "--model", "anthropic/claude-sonnet-4", "do one thing");
        var u = new AgentCli.OpenCode().usage("{\"type\":\"step_finish\",\"part\":{\"tokens\":{\"input\":500,\"output\":60},\"cost\":0.01}}\n", "");
        assertThat(u).isEqualTo(new AgentCli.Usage(500L, 60L, 0.01));
    }

    @Test
    void aiderGetsTheMessageTheEditableFilesAndNoCommitsOfItsOwn() {
        var inv = new AgentCli.Aider().invocation(spec("aider", "gpt-4o", null), WT, "do one thing", List.of("train_gpt.py"));
        assertThat(inv.command()).containsExactly("aider", "--message", "do one thing", "--yes-always", "--no-auto-commits", "--no-stream", "--model", "gpt-4o", "train_gpt.py");
        var u = new AgentCli.Aider().usage("Tokens: 2.1k sent, 180 received. Cost: $0.01 message, $0.02 session.\n", "");
        assertThat(u).isEqualTo(new AgentCli.Usage(2100L, 180L, 0.01));
    }

    @Test
    void aGenericAgentRunsItsCommandWithThePromptOnStandardInput() {
        AgentSpec s = spec("generic", null, List.of("my-agent", "--fast"));
        var inv = AgentCli.of(s).invocation(s, WT, "do one thing", List.of());
        assertThat(inv.command()).containsExactly("my-agent", "--fast");
        assertThat(new String(inv.stdin(), StandardCharsets.UTF_8)).isEqualTo("do one thing");
        assertThatThrownBy(() -> AgentCli.of(spec("generic", null, null)).invocation(spec("generic", null, null), WT, "x", List.of()))
                .hasMessageContaining("agent.a.command: a generic agent needs command");
        assertThatThrownBy(() -> AgentCli.of(spec("cursor", null, null))).hasMessageContaining("'cursor' is not a kind; accepted: [claude, codex, opencode, aider, generic]");
    }

    @Test
    void theSandboxHidesTheLedgerAndOtherWorktreesAndPinsProtectedFilesReadOnly() {
        List<String> c = Sandbox.wrap(Path.of("/usr/bin/bwrap"), List.of("claude", "-p", "x"), WT, Path.of("/ws"), List.of("data/val.bin"));
        String joined = String.join(" ", c);
        assertThat(joined).startsWith("/usr/bin/bwrap --ro-bind / / ").contains("--ro-bind /ws /ws --tmpfs /ws/.caddie --bind " + WT + " " + WT)
                .endsWith("--chdir " + WT + " -- claude -p x");
        assertThat(joined.indexOf("--tmpfs /ws/.caddie")).isLessThan(joined.indexOf("--bind " + WT));
    }

    /** The sandbox's /tmp is private: an agent program that lives under /tmp (a build folder, a checkout there) stays visible. */
    @Test
    void anAgentProgramUnderTmpIsBoundIntoTheSandboxReadOnly() throws Exception {
        Path program = java.nio.file.Files.createTempFile("agent", ".py");
        try {
            List<String> c = Sandbox.wrap(Path.of("/usr/bin/bwrap"), List.of("python3", program.toString()), WT, Path.of("/ws"), List.of());
            String joined = String.join(" ", c);
            assertThat(joined).contains("--ro-bind " + program + " " + program);
            assertThat(joined.indexOf("--tmpfs /tmp")).isLessThan(joined.indexOf("--ro-bind " + program));
        } finally {
            java.nio.file.Files.delete(program);
        }
    }
}
