package dev.caddie.run;

/** How a run ended. */
public enum RunStatus {
    OK("ok"), CRASHED("crashed"), OUT_OF_MEMORY("oom"), DIVERGED("nan"), TIMED_OUT("timeout"), KILLED("killed"),
    NO_METRIC("no_metric"), INTERRUPTED("interrupted"), ABORTED("aborted"),
    /** The command could not start at all (missing program): no candidate can run until the machine is fixed. */
    NOT_STARTED("not_started"),
    /** A remote machine could not be reached, or the connection to it was lost for good while the run went on. */
    UNREACHABLE("unreachable"),
    /** A remote machine refused Caddie's key (or its host key did not match). */
    AUTH("auth"),
    /** The scheduler took the machine away (Slurm PREEMPTED or NODE_FAIL). */
    PREEMPTED("preempted"),
    /** No machine could be had (a pod that never booted, a job the scheduler refused). */
    PROVISION_FAILED("provision_failed"),
    /** The remote's evaluation code or data differ from the SHA-256 pinned in caddie.toml [protected]. */
    REJECTED("rejected");

    public final String word;

    RunStatus(String word) { this.word = word; }

    /** The infrastructure failed, not the candidate: such a run says nothing of the candidate's score. */
    public boolean infrastructure() {
        return this == UNREACHABLE || this == AUTH || this == PREEMPTED || this == PROVISION_FAILED;
    }

    /**
     * The machine, not the candidate, ended the run: it could not start, the infrastructure failed, or the remote's
     * evaluation files are not the pinned ones. Going on would fail every candidate alike.
     */
    public boolean machineFault() { return this == NOT_STARTED || this == REJECTED || infrastructure(); }

    public static RunStatus of(String word) {
        for (RunStatus s : values()) if (s.word.equals(word)) return s;
        return null;
    }
}
