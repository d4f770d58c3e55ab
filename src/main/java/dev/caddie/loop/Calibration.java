package dev.caddie.loop;

import dev.caddie.gate.TierTransfer;
import dev.caddie.ledger.Ledger;

import java.util.ArrayList;
import java.util.List;

/** Builds the tier-transfer fit of a tag from the ledger: deltas against the first commit scored on both tiers. */
public final class Calibration {
    /** Pairs needed before promotion trusts the fit over the raw cheap-tier result. */
    public static final int MIN_PAIRS = 5;

    private Calibration() {}

    public static TierTransfer fit(Ledger ledger, String tag, String cheap, String dear) {
        List<double[]> both = ledger.scoredOnBoth(tag, cheap, dear);
        List<TierTransfer.Pair> pairs = new ArrayList<>();
        if (!both.isEmpty()) {
            double[] ref = both.get(0);
            for (double[] b : both) pairs.add(new TierTransfer.Pair((long) b[0], b[1] - ref[1], b[2] - ref[2]));
        }
        return new TierTransfer(pairs);
    }

    /** The reference commit's scores (cheap, dear), or null when no commit has both. */
    public static double[] reference(Ledger ledger, String tag, String cheap, String dear) {
        List<double[]> both = ledger.scoredOnBoth(tag, cheap, dear);
        return both.isEmpty() ? null : new double[]{both.get(0)[1], both.get(0)[2]};
    }
}
