package dev.caddie.gate;

import java.io.IOException;

/** A deterministic check that can stop a candidate before any compute is spent on it. */
public interface Gate {
    String name();

    GateResult check(CandidateChange change) throws IOException;
}
