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

    default void close() throws IOException { output().close(); }
}
