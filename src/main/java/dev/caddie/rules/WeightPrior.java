package dev.caddie.rules;

import java.time.LocalDate;

/**
 * The weight tail the size model assumes when the user gives none, by quantizer and recipe era.
 *
 * <p>What is seen in the records (artifact-calibration.tsv): exports that scale rows by their maximum
 * or a fixed percentile (pct-clip, amax) and SDClip exports (clip at k row sigmas) compress like
 * Gaussian weights; GPTQ-family exports from March 2026 like Student-t nu=4; and GPTQ exports from
 * April 2026 on, trained with strong decoupled weight decay (Muon WD 0.085 and up), like nu=2.33. The
 * rows read as Gaussian bulks with a few large outliers per row: quantizers that scale to the row's
 * extremes see those outliers (a heavy tail), SDClip sees the bulk. The era is the stand-in for the
 * recipe when nothing else is known, and the report names which prior it used; {@code --weight-tail}
 * overrides it.
 */
public final class WeightPrior {
    /** The shape assumed and a sentence saying why. */
    public record Choice(WeightShape shape, String reason) {}

    static final LocalDate HEAVY_DECAY_ERA = LocalDate.of(2026, 4, 1);
    static final WeightShape MARCH_GPTQ = new WeightShape(4);
    static final WeightShape HEAVY_DECAY_GPTQ = new WeightShape(2.33);

    private WeightPrior() {}

    /** @param date the record's date (yyyy-mm-dd) or null for a model being planned now */
    public static Choice forExport(Quantizer q, String date) {
        return switch (q) {
            case GPTQ, GPTQ_LITE -> {
                boolean heavy = date == null || !LocalDate.parse(date).isBefore(HEAVY_DECAY_ERA);
                yield heavy ? new Choice(HEAVY_DECAY_GPTQ, "prior: " + q.code + " exports of strong-weight-decay recipes (April 2026 on)")
                        : new Choice(MARCH_GPTQ, "prior: " + q.code + " exports before April 2026");
            }
            case GPTQ_SDCLIP -> new Choice(WeightShape.GAUSSIAN, "prior: SDClip scales rows by their sigma, which sees the Gaussian bulk");
            default -> new Choice(WeightShape.GAUSSIAN, "prior: " + q.code + " exports compress like Gaussian rows");
        };
    }
}
