package dev.caddie.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.task.ExecutorSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Runs each run on a RunPod pod rented for it and terminated after it, whatever happens: the pod's id is the run's
 * handle from the moment RunPod answers (so the ledger has it before Caddie waits for the pod to boot), the pod
 * carries a deadline of its own (max_pod_minutes, then it removes itself), and a pod of this workspace that no live
 * run owns is terminated on the next start. Once the pod runs, the run goes as on any SSH host.
 */
public final class RunPodExecutor implements Executor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ExecutorSpec spec;
    private final UnaryOperator<String> env;
    private final long pollMs, bootMs;

    public RunPodExecutor(ExecutorSpec spec) { this(spec, System::getenv, Duration.ofSeconds(3), Duration.ofMinutes(15)); }

    /** @param boot how long a pod may take to run with SSH before it is given up (and terminated) */
    RunPodExecutor(ExecutorSpec spec, UnaryOperator<String> env, Duration poll, Duration boot) {
        this.spec = spec;
        this.env = env;
        this.pollMs = poll.toMillis();
        this.bootMs = boot.toMillis();
    }

    @Override
    public String name() { return spec.ref(); }

    RunPodApi api() throws CannotStartException {
        String key = env.apply(spec.pod().apiKeyEnv());
        if (key == null || key.isBlank())
            throw new CannotStartException(RunStatus.AUTH, spec.pod().apiKeyEnv() + " is not set: export the RunPod API key in it before starting Caddie ([executor."
                    + spec.name() + "] api_key_env names the variable)");
        return new RunPodApi(spec.pod().apiUrl(), key.strip());
    }

    /** Every pod this workspace starts is named with this prefix, so `caddie pods` and a restart can find them. */
    static String prefix(Path workspace) {
        return "caddie-" + Remotes.runKey(new RunSpec(workspace, List.of(), Map.of(), Duration.ZERO, workspace.resolve("x"), "runpod", workspace, Map.of(), List.of(), "x"))
                .replaceAll("-x$", "") + "-";
    }

    @Override
    public RunHandle start(RunSpec run) throws IOException {
        RunPodApi api = api();
        String key = Remotes.runKey(run);
        try {
            RunPodApi.Pod pod = api.create("caddie-" + key, spec.pod(), Map.of());
            return new PodRun(api, pod, run, key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotStartException(RunStatus.INTERRUPTED, "interrupted while renting a pod");
        }
    }

    /** One run on its own pod: boot, setup, the run over ssh, then terminate. */
    private final class PodRun implements RunHandle {
        private final RunPodApi api;
        private final RunPodApi.Pod pod;
        private final RunSpec run;
        private final String key;
        private final PipedInputStream out = new PipedInputStream(1 << 20);
        private final PipedOutputStream sink;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private volatile RemoteRun inner;
        private volatile Ending ending;
        private volatile boolean killed;

        PodRun(RunPodApi api, RunPodApi.Pod pod, RunSpec run, String key) throws IOException {
            this.api = api;
            this.pod = pod;
            this.run = run;
            this.key = key;
            this.sink = new PipedOutputStream(out);
            Thread.ofPlatform().daemon().name("caddie-pod-" + pod.id()).start(this::go);
        }

        @Override public long pid() { return -1; }
        @Override public String startedAt() { return null; }
        @Override public InputStream output() { return out; }
        @Override public Ending ending() { return ending; }

        @Override public String remote() {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("pod", pod.id());
            h.put("name", pod.name());
            try {
                return JSON.writeValueAsString(h);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Integer waitFor(long millis) throws InterruptedException { return RemoteRun.await(exit, millis); }

        @Override
        public void kill() {
            killed = true;
            RemoteRun r = inner;
            if (r != null) r.kill();
            terminate();
        }

        private void terminate() {
            try {
                api.terminate(pod.id());
            } catch (IOException e) {
                // the pod keeps its own deadline, and the next start reaps pods of this workspace
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void go() {
            int code = 255;
            try {
                RunPodApi.Pod up = boot();
                if (up == null) {
                    code = 137;
                    return;
                }
                RemoteShell shell = RemoteShell.ssh(up.sshUser() + "@" + up.sshHost(), sshOptions(up));
                awaitSsh(shell);
                // The pod's own deadline: it removes itself even if Caddie is killed and never comes back.
                // RUNPOD_POD_ID and runpodctl (with a pod-scoped key) are in every RunPod pod; elsewhere the deadline does nothing.
                shell.exec("(setsid nohup sh -c 'sleep " + spec.pod().maxPodMinutes() * 60
                        + "; [ -n \"$RUNPOD_POD_ID\" ] && { runpodctl remove pod \"$RUNPOD_POD_ID\" || kill -TERM 1; }' > /dev/null 2>&1 < /dev/null &)");
                setup(shell);
                RemoteWorkdir dir = new RemoteWorkdir(shell, spec.workdir(), spec.workspace());
                dir.resolveHome();
                String runDir = dir.runDir(key);
                RemoteWorkdir.Started st = dir.start(run.workdir(), runDir, run.protectedFiles(), run.command(), Remotes.remoteEnv(run, dir.workspace, runDir),
                        "{ setsid bash .caddie/launch.sh > " + RemoteWorkdir.LOG + " 2>&1 < /dev/null & }; ID=$!", "kill -0 \"$ID\" 2>/dev/null",
                        run.fetch().isEmpty() && !spec.keepRuns());
                long pid = Long.parseLong(st.id());
                inner = new RemoteRun(dir, runDir, st, new RemoteRun.Control() {
                    @Override public String alive() { return "kill -0 \"$ID\" 2>/dev/null"; }
                    @Override public void kill() throws IOException, InterruptedException { shell.exec(SshExecutor.killScript(runDir, pid)); }
                    @Override public RemoteRun.Ended ended(Integer launcherExit, boolean k) { return new RemoteRun.Ended(launcherExit != null ? launcherExit : 137, null); }
                }, remote(), run.fetch(), Remotes.filesDir(run), spec.keepRuns());
                if (killed) inner.kill();
                try (InputStream in = inner.output()) { in.transferTo(sink); }
                Integer c = inner.waitFor(60_000);
                code = c == null ? 255 : c;
                if (inner.ending() != null) ending = inner.ending();
            } catch (CannotStartException e) {
                ending = new Ending(killed ? RunStatus.INTERRUPTED : e.status() == RunStatus.NOT_STARTED ? RunStatus.PROVISION_FAILED : e.status(), e.getMessage());
            } catch (IOException | RuntimeException e) {
                ending = new Ending(RunStatus.UNREACHABLE, "the pod " + pod.id() + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                terminate(); // billing runs from provisioning to here, whether or not the pod ever booted
                try { sink.close(); } catch (IOException ignored) {}
                exit.complete(code);
            }
        }

        /** Waits for the pod to run with SSH; null when Caddie stopped it meanwhile. */
        private RunPodApi.Pod boot() throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + bootMs;
            while (!killed) {
                RunPodApi.Pod p = api.get(pod.id());
                if (p == null || p.gone())
                    throw new CannotStartException(RunStatus.PROVISION_FAILED, "pod " + pod.id() + " ended " + (p == null ? "TERMINATED" : p.status()) + " before it ran");
                if (p.running()) return p;
                if (System.currentTimeMillis() > deadline)
                    throw new CannotStartException(RunStatus.PROVISION_FAILED, "pod " + pod.id() + " (" + spec.pod().gpuCount() + "x " + spec.pod().gpuType()
                            + ") did not boot within " + bootMs / 60_000 + " minutes (still " + p.status() + "); it was terminated and its time is charged");
                Thread.sleep(pollMs);
            }
            return null;
        }

        /** Pods come and go with new host keys: each pod gets a known_hosts of its own, trusting its key on first contact. */
        private List<String> sshOptions(RunPodApi.Pod up) throws IOException {
            List<String> o = new ArrayList<>(spec.sshOptions());
            Path known = Files.createTempFile("caddie-pod-" + pod.id() + "-", ".known_hosts");
            known.toFile().deleteOnExit();
            o.addAll(List.of("-p", Integer.toString(up.sshPort()), "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=" + known));
            return o;
        }

        private void awaitSsh(RemoteShell shell) throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + 120_000;
            while (true) {
                try {
                    if (shell.exec("true").ok()) return;
                } catch (CannotStartException e) {
                    if (e.status() == RunStatus.AUTH || System.currentTimeMillis() > deadline) throw e;
                }
                if (killed) throw new CannotStartException(RunStatus.INTERRUPTED, "stopped while the pod booted");
                Thread.sleep(1000);
            }
        }

        /** The executor's setup commands, in order, in the workspace folder; their output is kept beside the run's log. */
        private void setup(RemoteShell shell) throws IOException, InterruptedException {
            Path log = run.logFile().toAbsolutePath().resolveSibling("setup.log");
            Files.createDirectories(log.getParent());
            for (String cmd : spec.pod().setup()) {
                RemoteShell.Result r = shell.exec("mkdir -p " + RemoteWorkdir.word(spec.workspace()) + " && cd " + RemoteWorkdir.word(spec.workspace()) + " && " + cmd,
                        null, Duration.ofMinutes(30));
                Files.writeString(log, dev.caddie.task.Secrets.redact("$ " + cmd + "\n" + r.out() + r.err() + "(exit " + r.exit() + ")\n"),
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (!r.ok())
                    throw new CannotStartException(RunStatus.PROVISION_FAILED, "setup command `" + cmd + "` failed on pod " + pod.id() + " (exit " + r.exit() + "): "
                            + RemoteWorkdir.last(r.err() + "\n" + r.out(), 2) + "; its output is in " + log);
            }
        }
    }

    @Override
    public void stopOrphan(String remote) throws IOException, InterruptedException {
        JsonNode h = JSON.readTree(remote);
        api().terminate(h.path("pod").asText());
    }

    /** The pods of this workspace that RunPod lists, live or not. */
    public List<RunPodApi.Pod> pods(Path workspace) throws IOException, InterruptedException {
        String prefix = prefix(workspace);
        return api().list().stream().filter(p -> p.name().startsWith(prefix)).toList();
    }

    @Override
    public List<String> reap(Path workspace, Set<String> liveRemotes) throws IOException, InterruptedException {
        List<String> done = new ArrayList<>();
        RunPodApi api = api();
        for (RunPodApi.Pod p : pods(workspace)) {
            if ("TERMINATED".equals(p.status()) || liveRemotes.stream().anyMatch(r -> r.contains("\"" + p.id() + "\""))) continue;
            api.terminate(p.id());
            done.add(p.id() + " (" + p.name() + ", " + p.status() + ")");
        }
        return done;
    }

    @Override
    public List<String> check() throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        ExecutorSpec.Pod p = spec.pod();
        if (p.gpuType() == null) problems.add("gpu_type is not set");
        if (p.image() == null) problems.add("image is not set");
        api().list(); // the key is accepted (401 throws with RunPod's words)
        return problems;
    }
}
