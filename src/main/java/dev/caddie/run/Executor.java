package dev.caddie.run;

import java.io.IOException;
import java.util.List;

/** Where a run happens: a local process, an SSH host or a Slurm cluster, interchangeable behind this interface. */
public interface Executor {
    /** "local", or the tier's "KIND:NAME". */
    String name();

    RunHandle start(RunSpec spec) throws IOException;

    /**
     * Stops a run a dead Caddie left going, from the handle its RunHandle.remote() gave (written in the ledger).
     * Local runs are stopped by pid instead, so the default does nothing.
     */
    default void stopOrphan(String remote) throws IOException, InterruptedException {}

    /**
     * Takes up a run a dead Caddie left going (or that ended while nobody watched), from its recorded handle: its
     * log is followed from byte fromByte (what the local copy already holds) and it ends as if it had been started
     * here. Throws when it cannot be taken up (its folder is gone, the machine is unreachable, this executor does
     * not know how); the caller then stops it and records it interrupted.
     */
    default RunHandle adopt(RunSpec spec, String remote, long fromByte) throws IOException, InterruptedException {
        throw new IOException(name() + " cannot take up a run it did not start");
    }

    /**
     * What keeps runs from working here (empty when all is well), for `caddie executors check`; a machine that
     * cannot be reached or refuses the key throws CannotStartException with its own message.
     */
    default List<String> check() throws IOException, InterruptedException { return List.of(); }

    /**
     * Ends what this executor holds for the workspace that no live run owns (RunPod pods of a dead Caddie), given the
     * remote handles of the runs still going; returns what it ended. Machines Caddie does not rent have nothing to reap.
     */
    default List<String> reap(java.nio.file.Path workspace, java.util.Set<String> liveRemotes) throws IOException, InterruptedException {
        return List.of();
    }
}
