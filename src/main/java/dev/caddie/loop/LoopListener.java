package dev.caddie.loop;

import dev.caddie.ledger.Experiment;
import dev.caddie.run.LiveProgress;

import java.util.List;

/** Hears what the loop does, for the terminal (and later the dashboard). */
public interface LoopListener {
    default void candidate(long candidateId, String description) {}
    default void runStarted(long runId, String tier, long timeoutSeconds, Double trainSeconds) {}
    default void progress(LiveProgress progress, long elapsedMs) {}
    default void finished(Experiment experiment, List<Experiment> all) {}
    default void note(String message) {}
}
