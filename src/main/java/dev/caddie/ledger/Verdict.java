package dev.caddie.ledger;

/** The decision on a candidate: keep, discard, rejected (by a gate), crash or interrupted, with its reason. */
public record Verdict(long candidateId, Long runId, String verdict, String reason, Double bestBefore, String createdAt) {
    public static final String KEEP = "keep", DISCARD = "discard", REJECTED = "rejected", CRASH = "crash", INTERRUPTED = "interrupted";
}
