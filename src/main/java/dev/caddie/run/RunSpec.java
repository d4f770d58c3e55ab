package dev.caddie.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What an executor needs to start one run: where, what, with which environment, for how long, logging where;
 * and for a remote executor what it must reproduce there.
 *
 * @param executor       the tier's executor: "local" or "KIND:NAME"
 * @param workspace      the local workspace: env paths under it are mapped to the remote's workspace
 * @param protectedFiles path → pinned SHA-256, checked on the remote before the run starts
 * @param fetch          files the run writes that come back beside its log
 * @param runKey         a name for the run unique in this workspace (run42), used for its remote folder
 */
public record RunSpec(Path workdir, List<String> command, Map<String, String> env, Duration timeout, Path logFile,
                      String executor, Path workspace, Map<String, String> protectedFiles, List<String> fetch, String runKey) {
    public RunSpec {
        protectedFiles = protectedFiles == null ? Map.of() : Map.copyOf(protectedFiles);
        fetch = fetch == null ? List.of() : List.copyOf(fetch);
    }

    /** A run on this machine. */
    public RunSpec(Path workdir, List<String> command, Map<String, String> env, Duration timeout, Path logFile) {
        this(workdir, command, env, timeout, logFile, "local", workdir, Map.of(), List.of(), null);
    }
}
