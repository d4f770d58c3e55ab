package dev.caddie.run;

/** How a run ended. */
public enum RunStatus {
    OK("ok"), CRASHED("crashed"), OUT_OF_MEMORY("oom"), DIVERGED("nan"), TIMED_OUT("timeout"), KILLED("killed"),
    NO_METRIC("no_metric"), INTERRUPTED("interrupted"), ABORTED("aborted"),
    /** The command could not start at all (missing program): no candidate can run until the machine is fixed. */
    NOT_STARTED("not_started");

    public final String word;

    RunStatus(String word) { this.word = word; }
}
