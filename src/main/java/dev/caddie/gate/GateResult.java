package dev.caddie.gate;

/** What one gate decided, with a reason a person can read. */
public record GateResult(String gate, boolean passed, String reason) {
    public static GateResult pass(String gate, String reason) { return new GateResult(gate, true, reason); }
    public static GateResult fail(String gate, String reason) { return new GateResult(gate, false, reason); }
}
