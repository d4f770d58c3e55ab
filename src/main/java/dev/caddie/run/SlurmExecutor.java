package dev.caddie.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.task.ExecutorSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs as Slurm batch jobs, submitted with sbatch on this machine or on a login node over ssh. The job's log is
 * written by Slurm into the run's folder on the shared file system and followed from there; stopping is scancel
 * (with proctrack/cgroup that ends every process of the job); Slurm's own word on the ending (TIMEOUT,
 * OUT_OF_MEMORY, PREEMPTED, NODE_FAIL) is kept, and the exit code comes from the launcher's file, since sacct is
 * off on many clusters.
 */
public final class SlurmExecutor implements Executor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("^(\\d+)(;.*)?$");
    private static final Pattern STATE = Pattern.compile("JobState=(\\S+)");
    private static final Pattern EXIT = Pattern.compile("\\bExitCode=(\\d+):(\\d+)");
    /** States in which the job may still write to its log. */
    private static final String LIVE = "PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED|REQUEUED|REQUEUE_HOLD|RESIZING|SIGNALING|STAGE_OUT|STOPPED";

    /** squeue failing (a busy controller) counts as alive: only Slurm saying the job is over ends the follow. */
    private static final String ALIVE = "{ s=$(squeue -h -j \"$ID\" -o %T 2>/dev/null) || s=RUNNING; echo \"$s\" | grep -Eqx '" + LIVE + "'; }";

    private final ExecutorSpec spec;
    private final RemoteWorkdir dir;

    public SlurmExecutor(ExecutorSpec spec) {
        this.spec = spec;
        RemoteShell shell = spec.host() == null ? RemoteShell.local() : RemoteShell.ssh(spec.host(), spec.sshOptions());
        this.dir = new RemoteWorkdir(shell, spec.workdir(), spec.workspace());
    }

    @Override
    public String name() { return spec.ref(); }

    @Override
    public RunHandle start(RunSpec run) throws IOException {
        try {
            dir.resolveHome();
            String key = Remotes.runKey(run);
            String runDir = dir.runDir(key);
            List<String> args = new ArrayList<>(List.of("sbatch", "--parsable", "-J", "caddie-" + key, "-o", runDir + "/" + RemoteWorkdir.LOG,
                    "--chdir=" + runDir));
            args.addAll(spec.sbatchArgs());
            args.add(runDir + "/.caddie/launch.sh");
            // sbatch's own words go to stderr when it refuses, where the start call reads them.
            String launch = "if ! ID=$(" + String.join(" ", args.stream().map(RemoteShell::quote).toList()) + " 2>&1); then echo \"$ID\" >&2; exit 4; fi; ID=${ID##*$'\\n'}; ID=${ID%%;*}";
            boolean cleanup = run.fetch().isEmpty() && !spec.keepRuns();
            RemoteWorkdir.Started st;
            try {
                st = dir.start(run.workdir(), runDir, run.protectedFiles(), run.command(), Remotes.remoteEnv(run, dir.workspace, runDir), launch, ALIVE, cleanup);
            } catch (CannotStartException e) {
                if (e.status() != RunStatus.NOT_STARTED || !e.getMessage().contains("sbatch: ")) throw e;
                throw new CannotStartException(RunStatus.PROVISION_FAILED, "sbatch on " + dir.shell.describe() + " refused the job: "
                        + e.getMessage().substring(e.getMessage().indexOf("sbatch: ")) + " (sbatch_args in [executor." + spec.name() + "]: " + spec.sbatchArgs() + ")");
            }
            Matcher m = JOB_ID.matcher(st.id());
            if (!m.matches()) {
                st.follow().destroyForcibly();
                throw new CannotStartException(RunStatus.PROVISION_FAILED, "sbatch on " + dir.shell.describe() + " did not give a job id: " + st.id());
            }
            String job = m.group(1);
            Map<String, Object> handle = new LinkedHashMap<>();
            handle.put("dir", runDir);
            handle.put("job", job);
            return new RemoteRun(dir, runDir, st, control(job), JSON.writeValueAsString(handle), run.fetch(), Remotes.filesDir(run), spec.keepRuns());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotStartException(RunStatus.INTERRUPTED, "interrupted while submitting the run on " + dir.shell.describe());
        }
    }

    private RemoteRun.Control control(String job) {
        return new RemoteRun.Control() {
            @Override public String alive() { return ALIVE; }

            @Override public void kill() throws IOException, InterruptedException { dir.shell.exec("scancel " + job + " 2>/dev/null; true"); }

            @Override public RemoteRun.Ended ended(Integer launcherExit, boolean killed) throws IOException, InterruptedException {
                String[] st = state(job);
                String state = st[0];
                Integer slurmExit = st[1] == null ? null : Integer.parseInt(st[1]);
                int exit = launcherExit != null ? launcherExit : slurmExit != null && slurmExit != 0 ? slurmExit : 137;
                RunHandle.Ending ending = switch (state == null ? "" : state.replaceAll("[+ ].*", "")) {
                    case "TIMEOUT" -> new RunHandle.Ending(RunStatus.TIMED_OUT, "Slurm ended job " + job + " at its time limit (sbatch --time)");
                    case "OUT_OF_MEMORY" -> new RunHandle.Ending(RunStatus.OUT_OF_MEMORY, "Slurm ended job " + job + " at its memory limit (sbatch --mem)");
                    case "PREEMPTED", "NODE_FAIL" -> new RunHandle.Ending(RunStatus.PREEMPTED, "Slurm job " + job + " ended " + state
                            + "; the machine was taken away, so the run says nothing about the candidate");
                    case "BOOT_FAIL", "DEADLINE" -> new RunHandle.Ending(RunStatus.PROVISION_FAILED, "Slurm job " + job + " ended " + state);
                    case "CANCELLED" -> killed ? null : new RunHandle.Ending(RunStatus.KILLED, "Slurm job " + job + " was cancelled by someone else (scancel)");
                    default -> null;
                };
                return new RemoteRun.Ended(exit, ending);
            }
        };
    }

    /** The job's final state and exit code, from scontrol while Slurm remembers the job, else from sacct. */
    private String[] state(String job) throws IOException, InterruptedException {
        RemoteShell.Result r = dir.shell.exec("scontrol show job " + job + " -o 2>/dev/null || true");
        Matcher s = STATE.matcher(r.out()), e = EXIT.matcher(r.out());
        if (s.find()) return new String[]{s.group(1), e.find() ? e.group(1) : null};
        r = dir.shell.exec("sacct -j " + job + " -X -n -P -o State,ExitCode 2>/dev/null | head -1");
        String[] parts = r.out().strip().split("\\|");
        if (parts.length == 2) return new String[]{parts[0], parts[1].split(":")[0]};
        return new String[]{null, null};
    }

    @Override
    public void stopOrphan(String remote) throws IOException, InterruptedException {
        JsonNode h = JSON.readTree(remote);
        dir.resolveHome();
        dir.shell.exec("scancel " + RemoteShell.quote(h.path("job").asText()) + " 2>/dev/null; true");
        if (!spec.keepRuns()) dir.remove(h.path("dir").asText());
    }

    @Override
    public RunHandle adopt(RunSpec run, String remote, long fromByte) throws IOException, InterruptedException {
        JsonNode h = JSON.readTree(remote);
        dir.resolveHome();
        String runDir = h.path("dir").asText(), job = h.path("job").asText();
        if (!job.matches("\\d+")) throw new IOException("no Slurm job id in the recorded handle " + remote);
        RemoteWorkdir.requireAdoptable(dir, runDir, ALIVE.replace("$ID", job));
        return RemoteRun.adopted(dir, runDir, job, fromByte, control(job), remote, run.fetch(), Remotes.filesDir(run), spec.keepRuns());
    }

    @Override
    public List<String> check() throws IOException, InterruptedException {
        dir.resolveHome();
        List<String> problems = new ArrayList<>(dir.problems(List.of("sbatch", "squeue", "scancel", "scontrol", "tar", "sha256sum", "tail", "base64")));
        if (!problems.isEmpty()) return problems;
        // --test-only validates partition, gres, time and account against the cluster and submits nothing.
        List<String> args = new ArrayList<>(List.of("sbatch", "--test-only"));
        args.addAll(spec.sbatchArgs());
        args.addAll(List.of("--wrap", "true"));
        RemoteShell.Result r = dir.shell.exec(String.join(" ", args.stream().map(RemoteShell::quote).toList()));
        if (!r.ok()) problems.add("sbatch --test-only with sbatch_args " + spec.sbatchArgs() + " was refused: " + RemoteWorkdir.last(r.err() + "\n" + r.out(), 3));
        return problems;
    }
}
