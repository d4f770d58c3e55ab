package dev.caddie.gate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The ordered chain of gates run before any compute; it stops at the first failure. */
public final class StaticGates {
    private final List<Gate> gates;

    public StaticGates(List<Gate> gates) { this.gates = List.copyOf(gates); }

    /**
     * Protected files first, so tampering is named as such rather than as an edit outside the editable set;
     * the integrity checks last, as they are the slowest.
     */
    public static StaticGates standard() {
        return new StaticGates(List.of(new ProtectedFilesGate(), new EditableFilesGate(), new ScriptLinesGate(), new IntegrityLintGate(), new OverlapGate()));
    }

    /** Runs the gates in order; the results end with the first failure, if any. */
    public List<GateResult> check(CandidateChange change) {
        List<GateResult> out = new ArrayList<>();
        for (Gate g : gates) {
            GateResult r;
            try {
                r = g.check(change);
            } catch (IOException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
                // A gate that cannot judge a candidate rejects it; it never ends the loop.
                r = GateResult.fail(g.name(), "the gate could not check this candidate: "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            out.add(r);
            if (!r.passed()) break;
        }
        return out;
    }
}
