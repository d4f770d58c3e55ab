package dev.caddie.run;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stops a run's whole process tree. Runs start in their own session (setsid), so the process group id is
 * the run's pid and a signal to the group reaches grandchildren that ProcessHandle.descendants() would miss
 * once their parent has died.
 */
public final class ProcessTree {
    private ProcessTree() {}

    /** Kills the group led by pid and every descendant still visible, then waits briefly for them to go. */
    public static void kill(ProcessHandle root) {
        List<ProcessHandle> descendants = root.descendants().toList();
        signalGroup(root.pid(), "TERM");
        root.destroy();
        descendants.forEach(ProcessHandle::destroy);
        waitGone(root, descendants, 2000);
        signalGroup(root.pid(), "KILL");
        root.destroyForcibly();
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        descendants.forEach(ProcessHandle::destroyForcibly);
        waitGone(root, descendants, 5000);
    }

    /**
     * Kills a run left behind by a dead Caddie: only if pid still names the process that was started then
     * (pids are reused), and its process group in any case, since the group outlives its leader.
     */
    public static void killIfSame(long pid, String startedAt) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        boolean same = h.isPresent() && h.get().isAlive() && (startedAt == null
                || h.get().info().startInstant().map(Instant::toString).map(startedAt::equals).orElse(true));
        if (same) kill(h.get());
        else signalGroup(pid, "KILL");
    }

    private static void waitGone(ProcessHandle root, List<ProcessHandle> others, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (!root.isAlive() && others.stream().noneMatch(ProcessHandle::isAlive) && !groupAlive(root.pid())) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** True while any process of the group still exists (kill -0 succeeds). */
    public static boolean groupAlive(long pgid) {
        return run("kill", "-0", "--", "-" + pgid) == 0;
    }

    private static void signalGroup(long pgid, String signal) {
        run("kill", "-" + signal, "--", "-" + pgid);
    }

    private static int run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) { p.destroyForcibly(); return -1; }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
