package dev.caddie.ledger;

/** A kept candidate waiting for (or done with) the dear tier. */
public record Promotion(long id, long candidateId, String tier, String state, String reason, String createdAt) {
    public static final String QUEUED = "queued", RUNNING = "running", DONE = "done", REFUSED = "refused";
}
