package dev.caddie.task;

/** A caddie.toml that cannot be used; the message reads {@code caddie.toml:LINE: what is wrong, what is accepted}. */
public class SpecException extends Exception {
    public SpecException(String message) { super(message); }
}
