package dev.caddie.task;

import java.util.List;

/**
 * A machine runs go to, as written in caddie.toml's [executor.NAME]: an SSH host, or a Slurm cluster (submitting
 * with sbatch here or on a login node over ssh). A tier names one as {@code executor = "KIND:NAME"}.
 *
 * @param host       ssh destination (anything `ssh` accepts; ~/.ssh/config applies); for Slurm the login node, or
 *                   null to call sbatch on this machine
 * @param workdir    the remote folder Caddie owns: each run gets runs/ID below it
 * @param workspace  the remote folder that stands for the workspace: {workspace} in the env, and untracked
 *                   protected files (validation shards, tokenizer) are looked up there; default WORKDIR/workspace
 * @param sshOptions extra ssh arguments (e.g. ["-F", "/path/ssh_config"] or ["-p", "2222"])
 * @param sbatchArgs Slurm only: arguments for sbatch (--gres, --time, --partition)
 * @param keepRuns   keep each run's remote folder after its log and files are fetched (default: removed)
 * @param pod        RunPod only: the pod each run rents; null for other kinds
 */
public record ExecutorSpec(String name, String kind, String host, String workdir, String workspace, List<String> sshOptions,
                           List<String> sbatchArgs, boolean keepRuns, Pod pod) {
    public static final List<String> KINDS = List.of("ssh", "slurm", "runpod");

    /**
     * A RunPod pod as a run rents it.
     *
     * @param apiKeyEnv     the environment variable holding the API key (never the key itself in caddie.toml)
     * @param setup         shell commands run on the pod before the run (clone the data, install); their output is kept in the run's log
     * @param maxPodMinutes the pod terminates itself after this, whatever happens to Caddie
     * @param apiUrl        the API's base URL (RunPod's own unless a mirror or a test server is named)
     */
    public record Pod(String apiKeyEnv, String gpuType, int gpuCount, String image, String cloud, int diskGb, List<String> setup,
                      int maxPodMinutes, String apiUrl) {
        public Pod {
            setup = setup == null ? List.of() : List.copyOf(setup);
        }
    }

    public ExecutorSpec(String name, String kind, String host, String workdir, String workspace, List<String> sshOptions,
                        List<String> sbatchArgs, boolean keepRuns) {
        this(name, kind, host, workdir, workspace, sshOptions, sbatchArgs, keepRuns, null);
    }

    public ExecutorSpec {
        sshOptions = sshOptions == null ? List.of() : List.copyOf(sshOptions);
        sbatchArgs = sbatchArgs == null ? List.of() : List.copyOf(sbatchArgs);
        if (workspace == null && workdir != null) workspace = workdir.replaceAll("/+$", "") + "/workspace";
    }

    /** How a tier names it. */
    public String ref() { return kind + ":" + name; }
}
