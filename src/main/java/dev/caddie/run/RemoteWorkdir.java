package dev.caddie.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The folder a remote executor owns on its machine, and the steps every remote run takes there.
 *
 * <p>A run costs one ssh call, two when files come back, because each call starts the remote user's login shell (a
 * .bashrc with conda or pyenv init takes half a second): the first ships the commit, checks the pinned files, writes
 * the launcher, starts it and follows its log to the end; the second fetches the tier's files and removes the
 * folder. A follow cut off (a dropped connection) is taken up again by a call that reads the log from its byte.
 *
 * <p>The commit travels as `git archive` piped into `tar -x`: the remote needs only tar (no git, no access to the
 * user's repository), gets exactly the committed tree (never stray local edits), and a Parameter Golf script is
 * tens of kilobytes, so sending it whole costs less than negotiating a delta would. Data stays on the remote, in
 * the executor's workspace folder.
 */
final class RemoteWorkdir {
    static final String LOG = ".caddie/log", EXIT = ".caddie/exit";
    /** Marks the follow's last stderr line, which carries the launcher's exit code. */
    static final String EXIT_MARK = "caddie-exit=";
    private static final String REJECT_MARK = "caddie-reject: ", STARTED_MARK = "caddie-started=";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10); // hashing big validation shards takes a while

    final RemoteShell shell;
    String workdir;
    String workspace;

    RemoteWorkdir(RemoteShell shell, String workdir, String workspace) {
        this.shell = shell;
        this.workdir = trim(workdir);
        this.workspace = trim(workspace);
    }

    private static String trim(String p) { return p.length() > 1 ? p.replaceAll("/+$", "") : p; }

    /** A path as a bash word: quoted, with a leading ~/ left to the shell. */
    static String word(String path) {
        if (path.equals("~")) return "\"$HOME\"";
        if (path.startsWith("~/")) return "\"$HOME\"/" + RemoteShell.quote(path.substring(2));
        return RemoteShell.quote(path);
    }

    /**
     * Folders written with ~/ become absolute, once: paths handed to the run in its environment are quoted
     * values, where no shell would expand the tilde.
     */
    void resolveHome() throws IOException, InterruptedException {
        if (!workdir.startsWith("~") && !workspace.startsWith("~")) return;
        RemoteShell.Result r = shell.exec("printf %s \"$HOME\"");
        String home = r.out().strip();
        if (!r.ok() || home.isEmpty()) throw new CannotStartException(shell.describe() + ": could not read $HOME to place " + workdir);
        if (workdir.startsWith("~")) workdir = home + workdir.substring(1);
        if (workspace.startsWith("~")) workspace = home + workspace.substring(1);
    }

    String runDir(String key) { return workdir + "/runs/" + key; }

    /** A run just started: its id on the machine (pid or job id), and the follow already streaming its log. */
    record Started(String id, Process follow, StringBuffer err) {}

    /**
     * Ships the commit checked out in worktree into the run's folder, checks every pinned file there, writes the
     * launcher, runs launch (bash that starts it and sets ID to its pid or job id) and goes on following the log,
     * all in one call: stdout is the log from its first byte, stderr says when it started and, at the end, how it
     * ended. Returns once it has started.
     *
     * <p>Pinned files are looked up in the run's folder if the commit holds them, else in the executor's
     * workspace, and must hash to their SHA-256 there too: a remote with other validation data would score
     * candidates on a different test. The environment file is mode 600 and the launcher removes it once read,
     * since it may carry a key a tier passes.
     *
     * @param alive   a bash test on $ID, true while the run is queued or running
     * @param cleanup remove the run's folder after the follow (nothing to fetch, nothing kept)
     */
    Started start(Path worktree, String run, Map<String, String> pinned, List<String> command, Map<String, String> env, String launch,
                  String alive, boolean cleanup) throws IOException, InterruptedException {
        // A worktree with an edit not yet committed (`caddie micro --diff`) ships as that edit: stash create makes a
        // commit of it without touching the worktree, and prints nothing when there is no edit.
        String tree = Git.run(worktree, "stash", "create").strip();
        StringBuilder s = new StringBuilder("set -e; umask 077\n");
        s.append("rm -rf ").append(word(run)).append(" && mkdir -p ").append(word(run + "/.caddie")).append(" && tar -x -C ").append(word(run)).append('\n');
        s.append("exec < /dev/null; cd ").append(word(run)).append("\nset +e; bad=0\n");
        for (Map.Entry<String, String> p : pinned.entrySet()) {
            String here = RemoteShell.quote(p.getKey()), there = word(workspace + "/" + p.getKey()), name = p.getKey().replace("'", "");
            s.append("f=").append(here).append("; [ -e \"$f\" ] || f=").append(there)
                    .append("; if [ ! -f \"$f\" ]; then echo '").append(REJECT_MARK).append(name).append(" is missing (looked in the run folder and in ")
                    .append(workspace.replace("'", "")).append('/').append(name).append(")' >&2; bad=1")
                    .append("; else h=$(sha256sum < \"$f\" | cut -c1-64); if [ \"$h\" != ").append(RemoteShell.quote(p.getValue())).append(" ]; then echo \"")
                    .append(REJECT_MARK).append(name).append(" differs from its pinned SHA-256 ($f hashes to ${h:0:12}...)\" >&2; bad=1; fi; fi\n");
        }
        s.append("[ $bad = 0 ] || exit 3\nset -e\n");
        s.append("echo ").append(b64(envFile(env))).append(" | base64 -d > .caddie/env\n");
        s.append("echo ").append(b64(launcher(run, command))).append(" | base64 -d > .caddie/launch.sh\n");
        s.append(launch).append("\nset +e\necho \"").append(STARTED_MARK).append("$ID\" >&2\n");
        s.append(followBody(run, 0, alive, cleanup));
        Process git = new ProcessBuilder("git", "-C", worktree.toString(), "archive", "--format=tar", tree.isEmpty() ? "HEAD" : tree)
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        Process p = shell.start(s.toString());
        Thread.ofVirtual().start(() -> {
            try (InputStream tar = git.getInputStream(); var o = p.getOutputStream()) { tar.transferTo(o); } catch (IOException ignored) {}
        });
        StringBuffer err = new StringBuffer();
        java.util.concurrent.CompletableFuture<String> started = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    err.append(line).append('\n');
                    if (line.startsWith(STARTED_MARK)) started.complete(line.substring(STARTED_MARK.length()).strip());
                }
            } catch (IOException ignored) {
                // the process ended: its exit status says why
            } finally {
                started.complete(null);
            }
        });
        String id;
        try {
            id = started.get(START_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new CannotStartException(RunStatus.UNREACHABLE, shell.describe() + ": the run did not start within " + START_TIMEOUT.toMinutes() + " minutes");
        }
        String gitErr = new String(git.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        // A git archive that died silently was cut off by a shell that ended first (ssh refused, say): the
        // shell's own words below say why, and "git archive failed" would hide them.
        boolean cutOff = gitErr.isEmpty() && (id == null || id.isEmpty());
        if (git.waitFor() != 0 && !cutOff) {
            p.destroyForcibly();
            throw new IOException("git archive of " + worktree + " failed: " + gitErr);
        }
        if (id != null && !id.isEmpty()) return new Started(id, p, err);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        if (!shell.isLocal() && exit == 255) throw shell.connectionFailure(err.toString());
        List<String> bad = err.toString().lines().filter(l -> l.startsWith(REJECT_MARK)).map(l -> l.substring(REJECT_MARK.length())).toList();
        if (exit == 3 && !bad.isEmpty())
            throw new CannotStartException(RunStatus.REJECTED, "protected files on " + shell.describe() + ": " + String.join("; ", bad)
                    + ". The remote must hold the evaluation data pinned in caddie.toml [protected]; put it in the executor's workspace (" + workspace + ")");
        throw new CannotStartException(shell.describe() + ": the run did not start in " + run + ": " + last(err + "\n" + out, 3));
    }

    private static String envFile(Map<String, String> env) {
        StringBuilder e = new StringBuilder();
        for (Map.Entry<String, String> x : env.entrySet())
            if (x.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) e.append("export ").append(x.getKey()).append('=').append(RemoteShell.quote(x.getValue())).append('\n');
        return e.toString();
    }

    /** Runs the command in the run's folder and records its exit code in .caddie/exit. */
    private static String launcher(String run, List<String> command) {
        // cd by name: Slurm runs a copy of this file from its spool folder, not from here.
        return "#!/bin/bash\n# written by Caddie: runs one candidate and records how its command ended\n"
                + "cd " + word(run) + " || exit 97\n"
                + ". ./.caddie/env && rm -f ./.caddie/env\n"
                + String.join(" ", command.stream().map(RemoteShell::quote).toList()) + "\n"
                + "echo $? > ./.caddie/exit.tmp && mv ./.caddie/exit.tmp ./" + EXIT + "\n";
    }

    private static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

    /** A follow picked up again at byte offset (after a dropped connection), for the run whose id is id. */
    String follow(String run, long offset, String alive, String id, boolean cleanup) {
        return "ID=" + RemoteShell.quote(id) + "\n" + followBody(run, offset, alive, cleanup);
    }

    /**
     * Prints the log from byte offset on, live, until the launcher has recorded an exit code or alive fails; then
     * the rest, and the exit code on stderr after EXIT_MARK (empty when the command did not end by itself). It
     * counts the bytes it has printed, so nothing is lost or shown twice at the end, and a follow that broke
     * resumes at the right byte.
     */
    private static String followBody(String run, long offset, String alive, boolean cleanup) {
        String log = word(run + "/" + LOG), exit = word(run + "/" + EXIT), follower = word(run + "/.caddie/follower");
        // The latest follow owns the folder: a follow left behind by a killed Caddie (its ssh lingers until a write
        // fails) must not remove the folder under the one that took the run up.
        String token = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        return "off=" + offset + "; L=" + log + "; E=" + exit + "; F=" + follower + "; echo " + token + " > \"$F\" 2>/dev/null\n"
                + "emit() { n=$(stat -c %s \"$L\" 2>/dev/null || echo 0); if [ \"$n\" -gt \"$off\" ]; then tail -c +$((off + 1)) \"$L\" | head -c $((n - off)); off=$n; fi; }\n"
                + "while :; do\n"
                + "  if [ -e \"$E\" ] || ! " + alive + "; then emit; break; fi\n"
                + "  emit; sleep 0.2\n"
                + "done\n"
                + "echo \"" + EXIT_MARK + "$(cat \"$E\" 2>/dev/null)\" >&2\n"
                + (cleanup ? "[ \"$(cat \"$F\" 2>/dev/null)\" = " + token + " ] && cd / && rm -rf " + word(run) + "\n" : "");
    }

    /** Brings the files the run wrote that match the names or glob patterns into into/, then removes the run's folder unless kept. */
    void finish(String run, List<String> files, Path into, boolean keep) throws IOException, InterruptedException {
        if (files.isEmpty()) return; // the follow removed the folder, or it is kept
        Files.createDirectories(into);
        // Names may be glob patterns (final_model.*): compgen -G expands a quoted pattern to the files it matches.
        StringBuilder s = new StringBuilder("cd " + word(run) + " || exit 0; for p in");
        for (String f : files) s.append(' ').append(RemoteShell.quote(f));
        s.append("; do compgen -G \"$p\" || true; done | sort -u | tr '\\n' '\\0' | tar -c --null -T - -f -");
        if (!keep) s.append("; cd / && rm -rf ").append(word(run));
        Process remote = shell.start(s.toString());
        remote.getOutputStream().close();
        Process untar = new ProcessBuilder("tar", "-x", "-f", "-", "-C", into.toString()).redirectErrorStream(true).start();
        try (InputStream in = remote.getInputStream(); var out = untar.getOutputStream()) { in.transferTo(out); }
        untar.getInputStream().readAllBytes();
        remote.waitFor();
        untar.waitFor();
    }

    void remove(String run) throws IOException, InterruptedException { shell.exec("rm -rf " + word(run)); }

    /**
     * A run can be taken up when its folder still holds its log and it is either still going (alive, a bash test)
     * or has recorded how it ended; otherwise there is nothing to follow.
     */
    static void requireAdoptable(RemoteWorkdir dir, String run, String alive) throws IOException, InterruptedException {
        RemoteShell.Result r = dir.shell.exec("[ -e " + word(run + "/" + LOG) + " ] || { echo gone; exit 0; }; [ -e " + word(run + "/" + EXIT)
                + " ] && { echo ended; exit 0; }; if " + alive + "; then echo going; else echo lost; fi");
        String state = r.out().strip();
        if (!r.ok()) throw dir.shell.connectionFailure(r.err());
        if (state.equals("gone")) throw new IOException(run + " on " + dir.shell.describe() + " no longer holds the run's log");
        if (state.equals("lost")) throw new IOException("the run in " + run + " on " + dir.shell.describe() + " ended without recording how");
    }

    /**
     * What keeps runs from working here, for `caddie executors check`: the workdir not writable, the workspace
     * missing, a program the runs need not installed. Empty when all is well.
     */
    List<String> problems(List<String> programs) throws IOException, InterruptedException {
        StringBuilder s = new StringBuilder("mkdir -p " + word(workdir + "/runs") + " 2>/dev/null && [ -w " + word(workdir + "/runs") + " ] || echo 'workdir " + workdir.replace("'", "") + " cannot be created or written'\n");
        s.append("[ -d ").append(word(workspace)).append(" ] || echo 'workspace ").append(workspace.replace("'", ""))
                .append(" does not exist (the task data and untracked protected files are read there)'\n");
        for (String p : programs) s.append("command -v ").append(p).append(" >/dev/null || echo '").append(p).append(" is not installed'\n");
        RemoteShell.Result r = shell.exec(s.toString());
        List<String> out = new ArrayList<>(r.out().lines().filter(l -> !l.isBlank()).toList());
        if (!r.ok() && out.isEmpty()) out.add("the check itself failed: " + last(r.err()));
        return out;
    }

    static String last(String text) { return last(text, 1); }

    /** The last n non-blank lines, joined: what a tool said last, where its error usually is (sbatch says it twice). */
    static String last(String text, int n) {
        List<String> l = text.lines().map(String::strip).filter(x -> !x.isEmpty()).toList();
        return l.isEmpty() ? "(no message)" : String.join(" / ", l.subList(Math.max(0, l.size() - n), l.size()));
    }
}
