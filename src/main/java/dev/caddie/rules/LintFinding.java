package dev.caddie.rules;

import java.util.List;

/**
 * One integrity finding in a training script.
 *
 * @param rule     VAL_TRAIN_BEFORE_SCORE, PAID_PREFIX, TRAIN_DATA_AT_EVAL, NETWORK_AT_EVAL, CALIB_AFTER_CAP, CAUSALITY_LEAK or BPB_ACCOUNTING
 * @param severity "violation" (the gate blocks) or "review" (it passes, flagged for a person)
 * @param chain    the lines from where the data enters to where the rule is broken, each with what happens there
 */
public record LintFinding(String rule, String severity, int line, List<Step> chain, String message) {
    public static final String VIOLATION = "violation";
    public static final String REVIEW = "review";

    public record Step(int line, String via) {}

    public boolean violation() { return severity.equals(VIOLATION); }
}
