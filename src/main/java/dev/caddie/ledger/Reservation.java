package dev.caddie.ledger;

/** A hold on the budget for one run on a paid tier: held until the run ends, then settled at its real cost. */
public record Reservation(long id, long candidateId, Long runId, String tier, double amountUsd, double ratePerHour,
                          Double actualUsd, String state, Long ownerPid, String reason, String createdAt) {
    public static final String HELD = "held", SETTLED = "settled", RELEASED = "released";
}
