package dev.caddie.agent;

import dev.caddie.ledger.Ledger;
import dev.caddie.run.ProcessTree;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the agent roles running as child processes: it watches each (alive, heartbeat = a line of
 * output within the allowed silence), restarts a failed one after an exponential backoff, and after
 * the last allowed attempt marks it failed with the reason. Each child's pid and start time are in the
 * ledger, so a Caddie killed with -9 stops the orphans on its next start; stopping Caddie stops them all.
 */
public final class Supervisor {
    /** A role: its name and the command that runs it (in its own session, so its whole tree can be stopped). */
    public record Role(String name, List<String> command) {}

    /** Where the supervisor reports what it does. */
    public interface Listener {
        void say(String line);
    }

    public static final String RUNNING = "running", DONE = "done", FAILED = "failed", STOPPED = "stopped", INTERRUPTED = "interrupted";
    private static final boolean HAS_SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"));

    private final Ledger ledger;
    private final List<Role> roles;
    private final int maxAttempts;
    private final Duration backoff, silence;
    private final Path logDir;
    private final Listener listener;
    private final List<Child> children = new ArrayList<>();
    private volatile boolean stopping;

    public Supervisor(Ledger ledger, List<Role> roles, int maxAttempts, Duration backoff, Duration silence, Path logDir, Listener listener) {
        this.ledger = ledger;
        this.roles = List.copyOf(roles);
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.silence = silence;
        this.logDir = logDir;
        this.listener = listener;
    }

    /** Stops what a dead supervisor left running and marks it interrupted. */
    public static List<String> recoverOrphans(Ledger ledger) {
        List<String> said = new ArrayList<>();
        for (Ledger.Role r : ledger.roles()) {
            if (!r.state().equals(RUNNING) || r.pid() == null) continue;
            ProcessTree.killIfSame(r.pid(), r.pidStartedAt());
            ledger.setRole(r.name(), null, null, r.attempts(), INTERRUPTED, "left running by a Caddie that died; stopped");
            said.add("role " + r.name() + ": pid " + r.pid() + " was left running by a Caddie that died; stopped it");
        }
        return said;
    }

    private final class Child {
        final Role role;
        Process process;
        int attempts;
        long restartAt;
        final AtomicLong lastLine = new AtomicLong();
        final AtomicReference<String> lastText = new AtomicReference<>("");
        String state = RUNNING;

        Child(Role role) { this.role = role; }

        void start() throws IOException {
            attempts++;
            List<String> cmd = new ArrayList<>();
            if (HAS_SETSID) cmd.add("setsid");
            cmd.addAll(role.command());
            Files.createDirectories(logDir);
            Path log = logDir.resolve(role.name() + ".log");
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            lastLine.set(System.nanoTime());
            String started = process.toHandle().info().startInstant().map(Object::toString).orElse(null);
            ledger.setRole(role.name(), process.pid(), started, attempts, RUNNING, null);
            listener.say(String.format(Locale.ROOT, "role %s: started (attempt %d of %d, pid %d)", role.name(), attempts, maxAttempts, process.pid()));
            Process p = process;
            Thread t = new Thread(() -> pump(p, log), "role-" + role.name());
            t.setDaemon(true);
            t.start();
        }

        private void pump(Process p, Path log) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                String line;
                long lastBeat = 0;
                while ((line = r.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    lastLine.set(System.nanoTime());
                    if (!line.isBlank()) lastText.set(line.strip());
                    if (System.nanoTime() - lastBeat > 1_000_000_000L) { // the ledger hears at most one heartbeat a second
                        ledger.heartbeat(role.name());
                        lastBeat = System.nanoTime();
                    }
                }
            } catch (IOException ignored) {
                // the process ended; the watcher reads its exit code
            }
        }
    }

    /** Runs until every role is done or failed, or {@link #stop()} is called. Returns the roles that failed. */
    public List<String> run() throws IOException, InterruptedException {
        for (Role r : roles) {
            Child c = new Child(r);
            children.add(c);
            c.start();
        }
        while (!stopping) {
            boolean active = false;
            for (Child c : children) {
                if (c.state.equals(DONE) || c.state.equals(FAILED)) continue;
                active = true;
                long now = System.nanoTime();
                if (c.process == null) {
                    if (now >= c.restartAt) c.start();
                    continue;
                }
                if (c.process.isAlive()) {
                    if (now - c.lastLine.get() > silence.toNanos()) {
                        ProcessTree.kill(c.process.toHandle());
                        failed(c, String.format(Locale.ROOT, "no heartbeat (no output) for %d s; killed", silence.toSeconds()));
                    }
                    continue;
                }
                int code = c.process.exitValue();
                if (code == 0) {
                    c.state = DONE;
                    ledger.setRole(c.role.name(), null, null, c.attempts, DONE, "exited 0");
                    listener.say("role " + c.role.name() + ": finished");
                } else {
                    failed(c, "exited with code " + code + (c.lastText.get().isEmpty() ? "" : ": " + c.lastText.get()));
                }
            }
            if (!active) break;
            Thread.sleep(100);
        }
        List<String> failed = new ArrayList<>();
        for (Child c : children) if (c.state.equals(FAILED)) failed.add(c.role.name());
        return failed;
    }

    private void failed(Child c, String why) {
        c.process = null;
        if (c.attempts >= maxAttempts) {
            c.state = FAILED;
            String reason = String.format(Locale.ROOT, "failed %d times; last: %s", c.attempts, why);
            ledger.setRole(c.role.name(), null, null, c.attempts, FAILED, reason);
            listener.say("role " + c.role.name() + ": " + reason + " (given up)");
            return;
        }
        long delay = backoff.toMillis() << (c.attempts - 1);
        c.restartAt = System.nanoTime() + delay * 1_000_000L;
        ledger.setRole(c.role.name(), null, null, c.attempts, RUNNING, why + "; restarting in " + delay + " ms");
        listener.say(String.format(Locale.ROOT, "role %s: %s; restarting in %.1f s", c.role.name(), why, delay / 1000.0));
    }

    /** Stops every child (their whole trees) and records them stopped. */
    public void stop() {
        stopping = true;
        for (Child c : children) {
            Process p = c.process;
            if (p != null && p.isAlive()) ProcessTree.kill(p.toHandle());
            if (c.state.equals(RUNNING)) ledger.setRole(c.role.name(), null, null, c.attempts, STOPPED, "stopped with Caddie");
        }
    }
}
