package dev.caddie.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    @Override
    public RunHandle start(RunSpec spec) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (HAS_SETSID) cmd.add("setsid");
        cmd.addAll(resolveJava(spec.command()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(spec.workdir().toFile()).redirectErrorStream(true);
        pb.environment().putAll(spec.env());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start " + String.join(" ", spec.command()) + " in " + spec.workdir() + ": " + e.getMessage(), e);
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
