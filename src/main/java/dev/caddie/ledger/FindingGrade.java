package dev.caddie.ledger;

/**
 * What grading made of a finding: rejected by the pre-filter (with its reason, no model called), graded by the LLM
 * (tier A/B/C, scores per dimension as JSON, a plan), or ungraded (the model's answers stayed off-schema, the call
 * failed, or the budget was spent), with the tokens and dollars each call cost.
 */
public record FindingGrade(long findingId, String status, String tier, String scoresJson, String plan, String reason, String model,
                           int promptTokens, int completionTokens, double costUsd, String gradedAt) {
    public static final String GRADED = "graded", REJECTED = "rejected", UNGRADED = "ungraded";

    /** The val_bpb the grader expects the finding could remove here, 0 when it gave none. */
    public double expectedGain() {
        if (scoresJson == null) return 0;
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(scoresJson).path("expected_gain_bpb").asDouble(0);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }
}
