package dev.caddie.run;

import java.util.List;
import java.util.Map;

/**
 * What a train log says about the run that counts (the last run in the file that printed a final metric).
 * Fields are null where the log does not say. {@code modelBytes} is the compressed model the log printed
 * ("Serialized model int8+zlib: N bytes"); {@code evalTimeMs} sums the eval_time of the final evaluations
 * (or takes total_eval_time when the log prints it).
 */
public record LogSummary(
        String file,
        int runs,
        FinalMetric score,
        Map<String, FinalMetric> finals,
        Long artifactBytes,
        Long codeBytes,
        Long modelParams,
        Integer stopStep,
        Long stopTrainTimeMs,
        Long trainTimeMs,
        Long peakMemMib,
        Integer lastValStep,
        Double lastValBpb,
        int stepLines,
        List<TrainPoint> trainCurve,
        List<ValPoint> valCurve,
        boolean nanSeen,
        List<String> warnings,
        Long modelBytes,
        Long evalTimeMs) {

    /** One logged training step. */
    public record TrainPoint(int step, int total, double loss) {}

    /** One periodic (non-final) validation. */
    public record ValPoint(int step, double valBpb, double valLoss) {}

    public boolean hasScore() { return score != null; }
}
