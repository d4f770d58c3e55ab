package dev.caddie.run;

import java.io.IOException;

/**
 * A run could not start: no such program, or a remote machine that could not be reached, refused the key or holds
 * other evaluation files than the pinned ones. The machine's fault, not the candidate's; the status says which.
 */
public final class CannotStartException extends IOException {
    private final RunStatus status;

    public CannotStartException(String message) { this(RunStatus.NOT_STARTED, message); }

    public CannotStartException(RunStatus status, String message) {
        super(message);
        this.status = status;
    }

    public RunStatus status() { return status; }
}
