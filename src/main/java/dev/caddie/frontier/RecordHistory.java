package dev.caddie.frontier;

import dev.caddie.ledger.Submission;
import dev.caddie.rules.Significance;
import dev.caddie.run.FinalMetric;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The record history of a track: each time its #1 changed, among the records on main at the synced commit (a
 * record merged and later deleted as invalid is not on main, so it never shows as #1), ordered by when they were
 * submitted rather than when they landed (records land on main in batches).
 */
public final class RecordHistory {
    /** One change of the #1. */
    public record Step(String date, double valBpb, String folder, Integer pr, String commit) {}

    /** An open PR that beats the current record, with the significance of its seeds against the record's. */
    public record Challenger(Submission submission, Integer pr, double claimed, String verdict, Significance.Result significance, String why) {}

    private RecordHistory() {}

    /** The #1 changes of the track, oldest first; the last is the current record. */
    public static List<Step> steps(FrontierTriage t, String track) {
        List<Submission> records = new ArrayList<>();
        for (Submission s : t.all()) if ("main".equals(s.ref()) && track.equals(s.track()) && s.claimedBpb() != null) records.add(s);
        records.sort(t.order());
        List<Step> out = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (Submission s : records) {
            if (s.claimedBpb() >= best) continue;
            best = s.claimedBpb();
            out.add(new Step(s.date(), s.claimedBpb(), s.folder(), t.prOf(s), s.commit()));
        }
        return out;
    }

    /**
     * PRs not on main (nor closed unmerged, where GitHub's states were read) that triage as valid records and claim to
     * beat the record, best claim first, each with the
     * challenge's test of its seeds against the record's (margin 0.005 nats in bpb, p &lt; 0.01).
     */
    public static List<Challenger> challengers(FrontierTriage t, Step record) throws IOException {
        Submission recordRow = null;
        for (Submission s : t.all()) if ("main".equals(s.ref()) && s.folder().equals(record.folder())) recordRow = s;
        double[] recordSeeds = recordRow == null ? new double[0] : seeds(t, recordRow);
        double bpbPerNat = recordRow == null ? Double.NaN : bpbPerNat(t, recordRow);
        List<Challenger> out = new ArrayList<>();
        for (Submission s : t.all()) {
            if (s.pr() == null || s.onMain() || !SubmissionFolder.RECORD.equals(s.track()) || s.claimedBpb() == null || s.claimedBpb() >= record.valBpb()) continue;
            if (t.closedUnmerged(s.pr())) continue; // withdrawn or refused on GitHub: no challenger
            FrontierTriage.Judged j = t.judge(s);
            if (j.result().verdict() != Triage.Verdict.VALID_RECORD) continue;
            double[] mine = j.result().loggedBpb().stream().mapToDouble(Double::doubleValue).toArray();
            Significance.Result sig = null;
            String why = null;
            try {
                if (Double.isNaN(bpbPerNat)) throw new IllegalArgumentException("the record's logs give no val_loss to convert the 0.005-nat margin to bpb");
                sig = Significance.test("val_bpb", mine, recordSeeds.length >= 2 ? recordSeeds : null,
                        recordSeeds.length == 1 ? recordSeeds[0] : record.valBpb(), Significance.MARGIN_NATS * bpbPerNat, Significance.ALPHA,
                        Significance.Variant.CHALLENGE);
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
            out.add(new Challenger(s, s.pr(), s.claimedBpb(), j.result().verdict().code, sig, why));
        }
        out.sort(Comparator.comparingDouble(Challenger::claimed));
        return out;
    }

    /** Each seed log's score. */
    private static double[] seeds(FrontierTriage t, Submission s) throws IOException {
        List<Double> out = new ArrayList<>();
        for (LogSummary l : logs(t, s)) if (l.hasScore()) out.add(l.score().valBpb());
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** bpb per nat for this tokenizer, from the record's own final lines (val_bpb / val_loss). */
    private static double bpbPerNat(FrontierTriage t, Submission s) throws IOException {
        for (LogSummary l : logs(t, s)) {
            if (!l.hasScore()) continue;
            FinalMetric f = l.score();
            if (f.valLoss() > 0) return f.valBpb() / f.valLoss();
        }
        return Double.NaN;
    }

    private static List<LogSummary> logs(FrontierTriage t, Submission s) throws IOException {
        SubmissionFolder f = t.folder(s);
        List<LogSummary> out = new ArrayList<>();
        for (String n : f.logNames()) {
            try {
                out.add(new LogParser().parse(n, LogParser.text(n, f.files().get(n)).split("\n", -1)));
            } catch (IllegalArgumentException e) {
                // a log that cannot be read counts as no seed
            }
        }
        return out;
    }

    /** The current record's value of a track, if any record is on main. */
    public static java.util.Optional<Step> current(FrontierTriage t, String track) {
        List<Step> s = steps(t, track);
        return s.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(s.get(s.size() - 1));
    }
}
