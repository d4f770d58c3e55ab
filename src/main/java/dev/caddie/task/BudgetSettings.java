package dev.caddie.task;

/**
 * The [budget] table of caddie.toml: what promotion to the dear tier may spend.
 *
 * @param dollars            the total for all paid runs
 * @param reserveFloor       a promotion is refused if it would leave less than this
 * @param minIntervalMinutes a promotion is refused this soon after the last run on the promotion tier started
 * @param promoteTier        the tier kept candidates are promoted to
 * @param seeds              seeds a promoted result that beats the frontier gets in total
 */
public record BudgetSettings(double dollars, double reserveFloor, int minIntervalMinutes, String promoteTier, int seeds) {}
