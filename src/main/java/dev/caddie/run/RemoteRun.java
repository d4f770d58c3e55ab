package dev.caddie.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A run going on a remote machine, seen as a RunHandle: its log arrives live through a follow over ssh (picked up
 * again at the byte where it broke if the connection drops), and when it ends its exit code is read, the tier's
 * files fetched and its folder removed.
 */
final class RemoteRun implements RunHandle {
    /** How long a lost connection is retried before the run is given up as unreachable. */
    static final long RECONNECT_MS = Long.getLong("caddie.remote.reconnectMs", 120_000);

    /** What differs between executors: how to tell the run is alive, how to stop it, how it ended. */
    interface Control {
        /** A bash test on $ID (the pid or job id), true while the run is queued or running. */
        String alive();

        void kill() throws IOException, InterruptedException;

        /** The exit code, and the machine's word on the ending, once the run is over. */
        Ended ended(Integer launcherExit, boolean killed) throws IOException, InterruptedException;
    }

    record Ended(int exit, Ending ending) {}

    private final RemoteWorkdir dir;
    private final String run;
    private final Control control;
    private final String remote;
    /** The start call, still following the log; null for a run adopted after a restart, which is followed anew. */
    private final RemoteWorkdir.Started started;
    private final String id;
    private final long fromByte;
    private final List<String> fetch;
    private final Path filesDir;
    private final boolean keep;
    private final PipedInputStream out = new PipedInputStream(1 << 20);
    private final PipedOutputStream sink;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile Ending ending;
    private volatile boolean killed;

    RemoteRun(RemoteWorkdir dir, String run, RemoteWorkdir.Started started, Control control, String remote, List<String> fetch, Path filesDir,
              boolean keep) throws IOException {
        this(dir, run, started, started.id(), 0, control, remote, fetch, filesDir, keep);
    }

    /** A run already going that a dead Caddie started: its log is followed from fromByte, what the ledger's copy already holds. */
    static RemoteRun adopted(RemoteWorkdir dir, String run, String id, long fromByte, Control control, String remote, List<String> fetch,
                             Path filesDir, boolean keep) throws IOException {
        return new RemoteRun(dir, run, null, id, fromByte, control, remote, fetch, filesDir, keep);
    }

    private RemoteRun(RemoteWorkdir dir, String run, RemoteWorkdir.Started started, String id, long fromByte, Control control, String remote,
                      List<String> fetch, Path filesDir, boolean keep) throws IOException {
        this.dir = dir;
        this.started = started;
        this.id = id;
        this.fromByte = fromByte;
        this.run = run;
        this.control = control;
        this.remote = remote;
        this.fetch = fetch;
        this.filesDir = filesDir;
        this.keep = keep;
        this.sink = new PipedOutputStream(out);
        Thread.ofPlatform().daemon().name("caddie-follow").start(this::pump);
    }

    /** Whether the follow removes the run's folder itself: nothing to fetch and nothing to keep. */
    private boolean cleanup() { return fetch.isEmpty() && !keep; }

    @Override public long pid() { return -1; }
    @Override public String startedAt() { return null; }
    @Override public InputStream output() { return out; }
    @Override public String remote() { return remote; }
    @Override public Ending ending() { return ending; }

    @Override
    public Integer waitFor(long millis) throws InterruptedException { return await(exit, millis); }

    /** A remote run's exit code within millis, null while it runs; 255 (ssh's own failure code) if following it failed. */
    static Integer await(CompletableFuture<Integer> exit, long millis) throws InterruptedException {
        try {
            return exit.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            return 255;
        }
    }

    @Override
    public void kill() {
        killed = true;
        try {
            control.kill();
        } catch (IOException e) {
            // unreachable now: the ledger keeps the handle, and the next start of Caddie stops it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Follows the log until the run is over, then settles how it ended. */
    private void pump() {
        long offset = fromByte;
        long lostSince = -1;
        Integer code = null;
        try {
            Integer launcherExit;
            boolean first = started != null;
            while (true) {
                Process f;
                StringBuffer err;
                if (first) {
                    f = started.follow();
                    err = started.err();
                    first = false;
                } else {
                    f = dir.shell.start(dir.follow(run, offset, control.alive(), id, cleanup()));
                    f.getOutputStream().close();
                    StringBuffer e2 = new StringBuffer();
                    err = e2;
                    Thread.ofVirtual().start(() -> {
                        try (InputStream e = f.getErrorStream()) { e2.append(new String(e.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)); }
                        catch (IOException ignored) {}
                    });
                }
                try (InputStream in = f.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sink.write(buf, 0, n);
                        sink.flush();
                        offset += n;
                    }
                }
                int status = f.waitFor();
                for (int i = 0; i < 50 && !err.toString().contains(RemoteWorkdir.EXIT_MARK) && status != 255; i++) Thread.sleep(20); // stderr may trail stdout
                String mark = err.toString().lines().filter(l -> l.startsWith(RemoteWorkdir.EXIT_MARK)).reduce((a, b) -> b).orElse(null);
                if (mark != null) {
                    String v = mark.substring(RemoteWorkdir.EXIT_MARK.length()).strip();
                    launcherExit = v.matches("\\d+") ? Integer.valueOf(v) : null;
                    break;
                }
                // No end mark: the connection, not the run, ended (ssh exits 255); pick the log up where it broke.
                if (lostSince < 0) lostSince = System.currentTimeMillis();
                if (System.currentTimeMillis() - lostSince > RECONNECT_MS) {
                    ending = new Ending(RunStatus.UNREACHABLE, "lost the connection to " + dir.shell.describe() + " for " + RECONNECT_MS / 1000
                            + " s while the run went on (" + RemoteWorkdir.last(err.toString()) + "); the ledger keeps its handle and the next start stops it");
                    code = 255;
                    return;
                }
                Thread.sleep(status == 255 ? 2000 : 500);
            }
            Ended e = control.ended(launcherExit, killed);
            ending = e.ending();
            code = e.exit();
            try {
                dir.finish(run, fetch, filesDir, keep);
            } catch (IOException lost) {
                // the run is judged by its log, which is in; a file that did not come back is simply absent
            }
        } catch (IOException e) {
            if (ending == null) ending = new Ending(e instanceof CannotStartException c ? c.status() : RunStatus.UNREACHABLE, e.getMessage());
            if (code == null) code = 255;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (code == null) code = 255;
        } finally {
            try { sink.close(); } catch (IOException ignored) {}
            exit.complete(code == null ? 255 : code);
        }
    }
}
