package dev.caddie.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.task.ExecutorSpec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs on a machine reached with ssh. The run is started detached in its own session (setsid), so a dropped
 * connection or a dead Caddie does not end it, and stopping it signals its whole process group (torchrun and
 * every rank) on the remote.
 */
public final class SshExecutor implements Executor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALIVE = "kill -0 \"$ID\" 2>/dev/null";
    private final ExecutorSpec spec;
    private final RemoteWorkdir dir;

    public SshExecutor(ExecutorSpec spec) {
        this.spec = spec;
        this.dir = new RemoteWorkdir(RemoteShell.ssh(spec.host(), spec.sshOptions()), spec.workdir(), spec.workspace());
    }

    @Override
    public String name() { return spec.ref(); }

    @Override
    public RunHandle start(RunSpec run) throws IOException {
        String key = Remotes.runKey(run);
        try {
            dir.resolveHome();
            String runDir = dir.runDir(key);
            boolean cleanup = run.fetch().isEmpty() && !spec.keepRuns();
            RemoteWorkdir.Started st = dir.start(run.workdir(), runDir, run.protectedFiles(), run.command(), Remotes.remoteEnv(run, dir.workspace, runDir),
                    "{ setsid bash .caddie/launch.sh > " + RemoteWorkdir.LOG + " 2>&1 < /dev/null & }; ID=$!", ALIVE, cleanup);
            long pid;
            try {
                pid = Long.parseLong(st.id());
            } catch (NumberFormatException e) {
                st.follow().destroyForcibly();
                throw new CannotStartException(dir.shell.describe() + ": the run did not start in " + runDir + ": no pid (" + st.id() + ")");
            }
            Map<String, Object> handle = new LinkedHashMap<>();
            handle.put("dir", runDir);
            handle.put("pid", pid);
            return new RemoteRun(dir, runDir, st, control(runDir, pid), JSON.writeValueAsString(handle), run.fetch(),
                    Remotes.filesDir(run), spec.keepRuns());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotStartException(RunStatus.INTERRUPTED, "interrupted while starting the run on " + dir.shell.describe());
        }
    }

    private RemoteRun.Control control(String runDir, long pid) {
        return new RemoteRun.Control() {
            @Override public String alive() { return ALIVE; }

            @Override public void kill() throws IOException, InterruptedException { dir.shell.exec(killScript(runDir, pid)); }

            @Override public RemoteRun.Ended ended(Integer launcherExit, boolean killed) {
                // No exit code recorded: the launcher itself was signalled, by Caddie or by the machine.
                return new RemoteRun.Ended(launcherExit != null ? launcherExit : 137, null);
            }
        };
    }

    /**
     * TERM to the run's process group, KILL two seconds later. The group leader's folder is checked first, so a
     * pid the remote has since given to another program is left alone; a group whose leader is gone is the run's.
     */
    static String killScript(String runDir, long pid) {
        return "P=" + pid + "; if [ -d /proc/$P ] && [ \"$(readlink /proc/$P/cwd)\" != \"$(cd " + RemoteWorkdir.word(runDir) + " 2>/dev/null && pwd -P)\" ]; then exit 0; fi\n"
                + "kill -TERM -- -$P 2>/dev/null || exit 0\n"
                + "for i in $(seq 20); do kill -0 -- -$P 2>/dev/null || exit 0; sleep 0.1; done\n"
                + "kill -KILL -- -$P 2>/dev/null; exit 0\n";
    }

    @Override
    public void stopOrphan(String remote) throws IOException, InterruptedException {
        JsonNode h = JSON.readTree(remote);
        dir.resolveHome();
        String runDir = h.path("dir").asText();
        dir.shell.exec(killScript(runDir, h.path("pid").asLong()));
        if (!spec.keepRuns()) dir.remove(runDir);
    }

    @Override
    public RunHandle adopt(RunSpec run, String remote, long fromByte) throws IOException, InterruptedException {
        JsonNode h = JSON.readTree(remote);
        dir.resolveHome();
        String runDir = h.path("dir").asText();
        long pid = h.path("pid").asLong();
        RemoteWorkdir.requireAdoptable(dir, runDir, ALIVE.replace("$ID", Long.toString(pid)));
        return RemoteRun.adopted(dir, runDir, Long.toString(pid), fromByte, control(runDir, pid), remote, run.fetch(), Remotes.filesDir(run), spec.keepRuns());
    }

    @Override
    public java.util.List<String> check() throws IOException, InterruptedException {
        dir.resolveHome();
        return dir.problems(java.util.List.of("tar", "setsid", "sha256sum", "tail", "base64"));
    }
}
