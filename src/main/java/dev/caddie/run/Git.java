package dev.caddie.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The git CLI, run in one repository. Every experiment is a commit; worktrees keep runs off the user's copy. */
public final class Git {
    private final Path repo;

    public Git(Path repo) { this.repo = repo; }

    public Path repo() { return repo; }

    /** A git command that failed: the command, its exit code and what git said. */
    public static final class GitException extends IOException {
        GitException(String message) { super(message); }
    }

    public String run(String... args) throws IOException { return run(repo, args); }

    public static String run(Path dir, String... args) throws IOException {
        return new String(bytes(dir, args), StandardCharsets.UTF_8);
    }

    /** A git command's output as bytes, for what is not text (a blob read with cat-file). */
    public static byte[] bytes(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.add("-c");
        cmd.add("core.hooksPath=/dev/null"); // the user's hooks must not run on Caddie's commits
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("GIT_AUTHOR_NAME", "caddie");
        pb.environment().putIfAbsent("GIT_AUTHOR_EMAIL", "caddie@localhost");
        pb.environment().putIfAbsent("GIT_COMMITTER_NAME", "caddie");
        pb.environment().putIfAbsent("GIT_COMMITTER_EMAIL", "caddie@localhost");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new GitException("git " + String.join(" ", args) + " did not finish in 120 s (in " + dir + ")");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GitException("interrupted while running git " + String.join(" ", args));
        }
        if (p.exitValue() != 0)
            throw new GitException("git " + String.join(" ", args) + " failed (exit " + p.exitValue() + ") in " + dir + ": "
                    + new String(out, StandardCharsets.UTF_8).strip());
        return out;
    }

    /** True when dir is the top of a git work tree (not merely inside someone else's repository). */
    public static boolean isRepo(Path dir) {
        try {
            Path top = Path.of(run(dir, "rev-parse", "--show-toplevel").strip()).toRealPath();
            return top.equals(dir.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses a workspace that is not a git repository with what to do, instead of git's own "fatal: not a git repository". */
    public static void requireRepo(Path dir) {
        if (!isRepo(dir))
            throw new IllegalArgumentException(dir + " is not the top of a git repository (no .git there): Caddie keeps every experiment as a commit. "
                    + "Run `git init && git add -A && git commit -m start` there, or `caddie init`");
    }

    public String revParse(String rev) throws IOException { return run("rev-parse", "--verify", rev + "^{commit}").strip(); }

    public boolean refExists(String ref) {
        try {
            run("rev-parse", "--verify", "--quiet", ref + "^{commit}");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the commit holds a file at path. */
    public boolean hasFile(String commit, String path) {
        try {
            run("cat-file", "-e", commit + ":" + path);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Adds a detached worktree at path checked out at commit. */
    public void worktreeAdd(Path path, String commit) throws IOException {
        run("worktree", "add", "--detach", "--force", path.toString(), commit);
    }

    public void worktreeRemove(Path path) throws IOException {
        run("worktree", "remove", "--force", path.toString());
    }

    public void worktreePrune() throws IOException { run("worktree", "prune"); }

    /** Commits everything in a worktree (even when nothing changed) and returns the new commit. */
    public static String commitAll(Path worktree, String message) throws IOException {
        run(worktree, "add", "-A");
        run(worktree, "commit", "--allow-empty", "-q", "-m", message);
        return run(worktree, "rev-parse", "HEAD").strip();
    }

    public List<String> changedFiles(String from, String to) throws IOException {
        String out = run("diff", "--name-only", "--no-renames", from, to);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The unified diff between two commits with no context lines: what changed, for the critic's fingerprint. */
    public String diff(String from, String to) throws IOException {
        return run("diff", "-U0", "--no-color", "--no-renames", "--no-ext-diff", from, to);
    }

    /** Lines added and removed and files changed between two commits. */
    public int[] diffStat(String from, String to) throws IOException {
        int files = 0, added = 0, removed = 0;
        for (String l : run("diff", "--numstat", "--no-renames", from, to).lines().toList()) {
            String[] f = l.split("\t");
            if (f.length < 3) continue;
            files++;
            if (!f[0].equals("-")) added += Integer.parseInt(f[0]);
            if (!f[1].equals("-")) removed += Integer.parseInt(f[1]);
        }
        return new int[]{files, added, removed};
    }

    public void branchForce(String branch, String commit) throws IOException { run("branch", "-f", branch, commit); }
}
