package dev.caddie.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** What every remote executor derives from a RunSpec in the same way: the run's remote name, env and local files folder. */
final class Remotes {
    private Remotes() {}

    /**
     * The run's folder name on the remote: its ledger name prefixed with a hash of the workspace, so two workspaces
     * sharing one remote workdir never collide (and a run found there can be traced to its workspace).
     */
    static String runKey(RunSpec run) {
        String ws = run.workspace().toAbsolutePath().normalize().toString();
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(ws.getBytes(StandardCharsets.UTF_8));
            String id = run.runKey() != null ? run.runKey() : UUID.randomUUID().toString().substring(0, 8);
            return HexFormat.of().formatHex(h, 0, 4) + "-" + id.replaceAll("[^A-Za-z0-9_.-]", "_");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The run's environment as the remote must see it: paths into the local worktree point at the run's folder,
     * paths into the local workspace at the executor's workspace (where the data is).
     */
    static Map<String, String> remoteEnv(RunSpec run, String remoteWorkspace, String runDir) {
        String wt = run.workdir().toAbsolutePath().normalize().toString();
        String ws = run.workspace().toAbsolutePath().normalize().toString();
        Map<String, String> out = new LinkedHashMap<>();
        run.env().forEach((k, v) -> out.put(k, v.replace(wt, runDir).replace(ws, remoteWorkspace)));
        return out;
    }

    /** Where fetched files land: beside the run's log. */
    static Path filesDir(RunSpec run) { return run.logFile().toAbsolutePath().getParent().resolve("files"); }
}
