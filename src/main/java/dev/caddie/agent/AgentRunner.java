package dev.caddie.agent;

import dev.caddie.task.AgentSpec;
import dev.caddie.run.ProcessTree;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one agent invocation in a worktree: sandboxed unless the user opted out, bounded by the agent's
 * timeout (the whole process tree is killed), with stdout and stderr captured to a transcript file.
 */
public final class AgentRunner {
    /** How the run ended, and what the CLI said it used. */
    public record Result(int exitCode, boolean timedOut, String stdout, String stderr, AgentCli.Usage usage, Path transcript) {
        public boolean ok() { return !timedOut && exitCode == 0; }
    }

    private final boolean sandboxed;

    /** @param sandboxed false only when the user passed --unsandboxed */
    public AgentRunner(boolean sandboxed) {
        if (sandboxed && Sandbox.bwrap().isEmpty())
            throw new IllegalStateException("coding agents run under bubblewrap and bwrap is not installed (apt-get install bubblewrap); "
                    + "pass --unsandboxed to run them without it (the diff check still applies)");
        this.sandboxed = sandboxed;
    }

    public Result run(AgentSpec spec, Path worktree, Path workspace, String prompt, List<String> editable, List<String> protectedFiles, Path transcript)
            throws IOException, InterruptedException {
        AgentCli cli = AgentCli.of(spec);
        AgentCli.Invocation inv = cli.invocation(spec, worktree, prompt, editable);
        List<String> cmd = sandboxed ? Sandbox.wrap(Sandbox.bwrap().orElseThrow(), inv.command(), worktree, workspace, protectedFiles) : inv.command();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(worktree.toFile());
        Map<String, String> env = pb.environment();
        // An agent gets its own CLI's key and nothing else of Caddie's credentials (cloud keys, tokens, the pod API key).
        dev.caddie.task.Secrets.strip(env, new java.util.HashSet<>(spec.passEnv()));
        env.putAll(spec.env());
        env.put("CADDIE_AGENT", spec.name());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("agent " + spec.name() + ": cannot start " + inv.command().get(0) + " (" + e.getMessage() + "); is the " + spec.kind() + " CLI installed?", e);
        }
        // If Caddie is stopped (Ctrl-C, SIGTERM) while the agent works, the agent stops with it; bwrap's
        // --die-with-parent covers a kill -9 of Caddie for sandboxed agents.
        Process running = p;
        Thread onExit = new Thread(() -> ProcessTree.kill(running.toHandle()), "stop-agent-" + spec.name());
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            return finish(spec, cli, inv, p, transcript);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down: the hook runs
            }
        }
    }

    private Result finish(AgentSpec spec, AgentCli cli, AgentCli.Invocation inv, Process p, Path transcript) throws IOException, InterruptedException {
        CompletableFuture<String> out = drain(p.getInputStream()), err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(inv.stdin());
        } catch (IOException ignored) {
            // the agent may exit without reading its input; its exit code says what happened
        }
        boolean done = p.waitFor(spec.timeoutSeconds(), TimeUnit.SECONDS);
        if (!done) ProcessTree.kill(p.toHandle());
        int code = done ? p.exitValue() : p.waitFor();
        // An agent's output is stored (the transcript) and quoted (the ledger): a key it prints goes no further.
        String so = dev.caddie.task.Secrets.redact(out.join()), se = dev.caddie.task.Secrets.redact(err.join());
        Files.createDirectories(transcript.getParent());
        Files.writeString(transcript, dev.caddie.task.Secrets.redact("$ " + String.join(" ", inv.command()) + "\n--- stdout\n" + so + "\n--- stderr\n" + se
                + (done ? "\n--- exit " + code + "\n" : "\n--- killed after " + spec.timeoutSeconds() + " s\n")), StandardCharsets.UTF_8);
        return new Result(code, !done, so, se, cli.usage(so, se), transcript);
    }

    private static CompletableFuture<String> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                return new String(s.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
