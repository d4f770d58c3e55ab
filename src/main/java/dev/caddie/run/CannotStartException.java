package dev.caddie.run;

import java.io.IOException;

/** A run's command could not even start (no such program, not executable): the machine's fault, not the candidate's. */
public final class CannotStartException extends IOException {
    public CannotStartException(String message) { super(message); }
}
