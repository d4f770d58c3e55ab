package dev.caddie.run;

import java.io.IOException;
import java.io.InputStream;

/** A started run: its output, its process, and a way to stop it. */
public interface RunHandle {
    long pid();

    /** When the process started, as the OS reports it (guards against pid reuse); null if unknown. */
    String startedAt();

    /** The merged stdout and stderr of the run. */
    InputStream output();

    /** Waits for the exit code; null if the timeout passed first. */
    Integer waitFor(long millis) throws InterruptedException;

    /** Stops the run and everything it started. */
    void kill();

    /**
     * Where a remote run lives (host, folder, pid or job id), as the executor reads it back: written to the ledger
     * before Caddie waits on the run, so a later Caddie can stop it if this one dies. Null for a local run.
     */
    default String remote() { return null; }

    /**
     * How the run ended when the machine says more than an exit code (Slurm's TIMEOUT or PREEMPTED, a connection
     * lost for good), with why; null when the exit code and the log say it all.
     */
    default Ending ending() { return null; }

    /** A status the machine reported, and its words. */
    record Ending(RunStatus status, String why) {}

    default void close() throws IOException { output().close(); }
}
