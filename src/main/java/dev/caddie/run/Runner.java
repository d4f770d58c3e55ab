package dev.caddie.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one command to the end on an executor: captures the full log (and its SHA-256), parses progress live,
 * enforces the timeout by stopping the whole process tree, and classifies how it ended.
 */
public final class Runner {
    private static final int TAIL_LINES = 200;

    /** Hears about a run while it goes. */
    public interface Listener {
        default void started(RunHandle handle) {}
        default void line(String line, LiveProgress progress) {}
    }

    private final Executors executors;
    private final LogParser parser = new LogParser();
    private volatile RunHandle current;
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final AtomicBoolean aborted = new AtomicBoolean();

    /** Every run on this one executor, whatever its tier names. */
    public Runner(Executor executor) { this(Executors.only(executor)); }

    /** Each run on the executor its spec names. */
    public Runner(Executors executors) { this.executors = executors; }

    public Executors executors() { return executors; }

    /** Stops the current run from another thread (Ctrl-C); it is then recorded as interrupted. */
    public void interrupt() {
        interrupted.set(true);
        RunHandle h = current;
        if (h != null) h.kill();
    }

    /** Stops the current run because it is not worth finishing; it is then recorded as aborted. */
    public void abort() {
        aborted.set(true);
        RunHandle h = current;
        if (h != null) h.kill();
    }

    public RunOutcome run(RunSpec spec, Listener listener) throws IOException, InterruptedException {
        interrupted.set(false);
        aborted.set(false);
        Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
        long t0 = System.nanoTime();
        RunHandle handle;
        try {
            handle = executors.get(spec.executor()).start(spec);
        } catch (CannotStartException e) {
            // Recorded like any ended run, with the reason as its log, so the ledger and the loop see why.
            byte[] text = ("caddie: " + dev.caddie.task.Secrets.redact(e.getMessage()) + "\n").getBytes(StandardCharsets.UTF_8);
            Files.write(spec.logFile(), text);
            return new RunOutcome(e.status(), null, (System.nanoTime() - t0) / 1_000_000, sha256(spec.logFile()),
                    parser.parse(spec.logFile().toString(), new String[0]), List.of(dev.caddie.task.Secrets.redact(e.getMessage())));
        }
        listener.started(handle);
        return follow(spec, handle, listener, t0, false);
    }

    /**
     * Takes up a run a dead Caddie started (an executor's adopt): the log goes on where the local copy ends, the
     * timeout counts from when the run started (elapsedMs ago), and it is classified as if it had run here.
     */
    public RunOutcome resume(RunSpec spec, RunHandle handle, Listener listener, long elapsedMs) throws IOException, InterruptedException {
        interrupted.set(false);
        aborted.set(false);
        long t0 = System.nanoTime() - elapsedMs * 1_000_000;
        listener.started(handle);
        return follow(spec, handle, listener, t0, true);
    }

    private RunOutcome follow(RunSpec spec, RunHandle handle, Listener listener, long t0, boolean append) throws IOException, InterruptedException {
        current = handle;
        MessageDigest sha = sha256();
        Deque<String> tail = new ArrayDeque<>();
        List<String> all = new ArrayList<>();
        LiveProgress progress = new LiveProgress();
        if (append && Files.exists(spec.logFile())) {
            // what the dead Caddie already wrote: part of the log, its digest and its parse
            byte[] had = Files.readAllBytes(spec.logFile());
            sha.update(had);
            for (String line : new String(had, StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) continue;
                all.add(line);
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) tail.removeFirst();
                progress.accept(line);
            }
        }
        // The reader thread owns the log file; the caller's thread owns the clock.
        Thread reader = Thread.ofVirtual().start(() -> {
            try (OutputStream log = new DigestOutputStream(append ? Files.newOutputStream(spec.logFile(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND) : Files.newOutputStream(spec.logFile()), sha);
                 BufferedReader in = new BufferedReader(new InputStreamReader(handle.output(), StandardCharsets.UTF_8))) {
                for (String raw; (raw = in.readLine()) != null; ) {
                    String line = dev.caddie.task.Secrets.redact(raw); // a key a script prints never reaches the log file or the ledger
                    log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    log.flush();
                    synchronized (all) {
                        all.add(line);
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) tail.removeFirst();
                    }
                    progress.accept(line);
                    listener.line(line, progress);
                }
            } catch (IOException e) {
                synchronized (all) { tail.addLast("caddie: log capture failed: " + e.getMessage()); }
            }
        });
        long timeoutMs = Math.max(1_000, spec.timeout().toMillis() - (System.nanoTime() - t0) / 1_000_000);
        Integer exit = handle.waitFor(timeoutMs);
        boolean timedOut = exit == null;
        if (timedOut) {
            handle.kill();
            exit = handle.waitFor(30_000); // a remote run takes a few seconds to stop and hand back its log
        }
        reader.join(10_000);
        current = null;
        long durationMs = (System.nanoTime() - t0) / 1_000_000;
        List<String> lines, tailCopy;
        synchronized (all) {
            lines = new ArrayList<>(all);
            tailCopy = new ArrayList<>(tail);
        }
        if (timedOut) tailCopy.add("caddie: timed out after " + spec.timeout().toSeconds() + " s; the process tree was stopped");
        LogSummary summary = parser.parse(spec.logFile().toString(), lines.toArray(String[]::new));
        RunOutcome out = ExitClassifier.classify(exit, timedOut, interrupted.get(), aborted.get(), durationMs,
                HexFormat.of().formatHex(sha.digest()), summary, tailCopy);
        // The machine's own word on the ending (Slurm's time limit, a preemption, a lost connection) beats a
        // guess from the exit code, unless Caddie itself stopped the run.
        RunHandle.Ending ending = handle.ending();
        if (ending != null && !timedOut && !interrupted.get() && !aborted.get()) {
            List<String> errors = new ArrayList<>(out.errorLines());
            errors.add(dev.caddie.task.Secrets.redact(ending.why()));
            out = new RunOutcome(ending.status(), out.exitCode(), out.durationMs(), out.logSha256(), out.summary(), errors);
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of a file, hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
