package dev.caddie.gate;

import dev.caddie.run.LiveProgress;

/** A dynamic gate on a live run: it reads the run's progress line by line and says when the run is not worth finishing. */
public interface LiveGate {
    /** Reads the progress after one log line; true when the run should be stopped (then {@link #reason()} says why). */
    boolean stop(LiveProgress progress);

    /** Why the run was stopped, for the verdict; null before {@link #stop} said so. */
    String reason();
}
