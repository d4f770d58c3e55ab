package dev.caddie.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs an agent under bubblewrap so that the only place it can write is its own worktree: the whole
 * filesystem is mounted read-only, the workspace's .caddie folder (the ledger, run logs, every other
 * worktree) is replaced by an empty tmpfs with only this worktree bound back, and the task's protected
 * files inside the worktree are bound read-only over themselves. The network stays (agents call their
 * model's API); the CLIs' own state folders under $HOME stay writable so they can keep sessions.
 */
public final class Sandbox {
    private static final List<String> CLI_STATE = List.of(".claude", ".claude.json", ".codex", ".config/opencode", ".local/share/opencode",
            ".local/state/opencode", ".aider", ".cache");

    private Sandbox() {}

    /** bwrap on PATH, if installed. */
    public static Optional<Path> bwrap() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "bwrap");
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** The command prefixed with the bwrap arguments that confine it. */
    public static List<String> wrap(Path bwrap, List<String> command, Path worktree, Path workspace, List<String> protectedFiles) {
        Path wt = worktree.toAbsolutePath().normalize();
        Path ws = workspace.toAbsolutePath().normalize();
        // The workspace is bound read-only again after the private /tmp, so that it looks the same wherever it lives.
        List<String> c = new ArrayList<>(List.of(bwrap.toString(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                "--ro-bind", ws.toString(), ws.toString(), "--tmpfs", ws.resolve(".caddie").toString(), "--bind", wt.toString(), wt.toString()));
        // Files named on the agent's own command line (its program, a prompt file) stay visible even under the private /tmp.
        for (String arg : command) {
            if (!arg.startsWith("/tmp/")) continue;
            Path p = Path.of(arg).normalize();
            if (Files.exists(p) && !p.startsWith(ws)) c.addAll(List.of("--ro-bind", p.toString(), p.toString()));
        }
        String home = System.getProperty("user.home");
        for (String s : CLI_STATE) {
            Path p = Path.of(home, s);
            if (Files.exists(p)) c.addAll(List.of("--bind", p.toString(), p.toString()));
        }
        for (String f : protectedFiles) {
            Path p = wt.resolve(f).normalize();
            if (p.startsWith(wt) && Files.exists(p)) c.addAll(List.of("--ro-bind", p.toString(), p.toString()));
        }
        c.addAll(List.of("--die-with-parent", "--new-session", "--chdir", wt.toString(), "--"));
        c.addAll(command);
        return c;
    }
}
