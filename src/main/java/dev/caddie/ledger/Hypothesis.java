package dev.caddie.ledger;

/**
 * What a proposer said before its candidate ran: the hypothesis, the change in the metric it predicted
 * (in the metric's units, negative = lower), why, and the risk; plus what proposing cost.
 */
public record Hypothesis(String agent, String hypothesis, Double predictedDelta, String basis, String risk,
                         Long inputTokens, Long outputTokens, Double costUsd, String transcriptPath) {

    /** A hypothesis beside the experiment it became. */
    public record Outcome(Experiment experiment, Hypothesis hypothesis) {}
}
