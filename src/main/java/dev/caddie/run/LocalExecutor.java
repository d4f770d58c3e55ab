package dev.caddie.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the command as a child process of this machine, in its own session so its whole tree can be stopped. */
public final class LocalExecutor implements Executor {
    private static final boolean HAS_SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"));

    @Override
    public String name() { return "local"; }

    /**
     * A command that starts with plain "java" runs on the JDK Caddie itself runs on (21 or newer), not on
     * whatever older java comes first on PATH; Tiny Golf's train.java needs 21.
     */
    static List<String> resolveJava(List<String> command) {
        if (command.isEmpty() || !command.get(0).equals("java")) return command;
        List<String> out = new ArrayList<>(command);
        out.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return out;
    }

    /**
     * The program a command starts, checked before starting it: under setsid a missing program is only a
     * line in the log and exit code 1, which would read as a crashed candidate.
     */
    static void checkProgram(List<String> command, Path workdir, Map<String, String> env) throws CannotStartException {
        if (command.isEmpty()) throw new CannotStartException("the run command is empty; set [task] command in caddie.toml");
        String prog = command.get(0);
        if (prog.contains("/")) {
            Path p = workdir.resolve(prog);
            if (!Files.exists(p)) throw new CannotStartException("cannot start " + prog + ": no such file (in " + workdir + ")");
            if (Files.isDirectory(p) || !Files.isExecutable(p)) throw new CannotStartException("cannot start " + prog + ": not an executable file");
            return;
        }
        String path = env.getOrDefault("PATH", System.getenv().getOrDefault("PATH", ""));
        for (String d : path.split(":")) {
            Path p = (d.isEmpty() ? workdir : Path.of(d)).resolve(prog);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return;
        }
        throw new CannotStartException("cannot start " + prog + ": it is not on PATH; install it, or set the command in caddie.toml "
                + "([task] command, or the tier's command) to a program this machine has");
    }

    @Override
    public RunHandle start(RunSpec spec) throws IOException {
        checkProgram(resolveJava(spec.command()), spec.workdir(), spec.env());
        List<String> cmd = new ArrayList<>();
        if (HAS_SETSID) cmd.add("setsid");
        cmd.addAll(resolveJava(spec.command()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(spec.workdir().toFile()).redirectErrorStream(true);
        // The training script runs unsandboxed: it gets no credential of Caddie's unless the run's env names it.
        dev.caddie.task.Secrets.strip(pb.environment(), spec.env().keySet());
        pb.environment().putAll(spec.env());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CannotStartException("cannot start " + String.join(" ", spec.command()) + " in " + spec.workdir() + ": " + e.getMessage());
        }
        p.getOutputStream().close(); // runs get no stdin, like a batch job
        return new RunHandle() {
            @Override public long pid() { return p.pid(); }
            @Override public String startedAt() { return p.info().startInstant().map(Instant::toString).orElse(null); }
            @Override public InputStream output() { return p.getInputStream(); }
            @Override public Integer waitFor(long millis) throws InterruptedException {
                return p.waitFor(millis, TimeUnit.MILLISECONDS) ? p.exitValue() : null;
            }
            @Override public void kill() { ProcessTree.kill(p.toHandle()); }
        };
    }
}
