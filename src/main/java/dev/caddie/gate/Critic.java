package dev.caddie.gate;

import dev.caddie.Text;
import dev.caddie.task.CriticSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fifth hard gate: before any compute, the candidate's change is judged against the ledger's history.
 * Too large a change is rejected with its size; a change near-identical to one that already failed on the same
 * parent is rejected naming that candidate and how it ended; near-identical to a failure on another parent is a
 * review note (the parent changed, the idea may now work); a kind of change known to transfer badly from the
 * cheap tier to the dear one is flagged on the candidate, so promotion asks for more evidence.
 */
public final class Critic {
    public static final String GATE = "critic", REVIEW = "critic-review", SCALE = "critic-scale";

    /** An earlier candidate's change and how it ended (only failures are kept as history). */
    public record Past(long candidateId, String parent, long[] signature, String verdict, String reason) {}

    /** The critic's results, in the order they go to the ledger; the first, GATE, decides. */
    public record Judgement(List<GateResult> results) {
        public boolean passed() { return results.get(0).passed(); }
    }

    private final CriticSettings settings;

    public Critic(CriticSettings settings) { this.settings = settings; }

    /**
     * @param transferNote what `caddie calibrate` found about the cheap tier's verdicts carrying to the dear one when it
     *                     found them carrying poorly (every change is then a scale risk), else null
     */
    public Judgement judge(String parent, ChangeFingerprint change, List<Past> failures, String transferNote) {
        List<GateResult> out = new ArrayList<>();
        if (change.changedLines() > settings.maxDiffLines()) {
            out.add(GateResult.fail(GATE, String.format(Locale.ROOT, "the change touches %,d lines, over [critic] max_diff_lines = %,d: propose one focused "
                    + "change (rewrites of the file are the usual cause of wasted runs)", change.changedLines(), settings.maxDiffLines())));
            return new Judgement(out);
        }
        Past same = null, other = null;
        double sameSim = 0, otherSim = 0;
        for (Past p : failures) {
            double s = change.similarity(p.signature());
            if (s < settings.similarity()) continue;
            if (p.parent().equals(parent)) {
                if (s > sameSim || s == sameSim && same != null && p.candidateId() > same.candidateId()) { same = p; sameSim = s; }
            } else if (s > otherSim || s == otherSim && other != null && p.candidateId() > other.candidateId()) { other = p; otherSim = s; }
        }
        if (same != null) {
            out.add(GateResult.fail(GATE, String.format(Locale.ROOT, "near-identical (%.0f%% similar) to candidate %d on the same parent, which ended %s%s",
                    100 * sameSim, same.candidateId(), same.verdict(), same.reason() == null ? "" : ": " + Text.oneLine(same.reason(), 160))));
            return new Judgement(out);
        }
        out.add(GateResult.pass(GATE, String.format(Locale.ROOT, "%,d changed lines; no near-identical failure on this parent", change.changedLines())));
        if (other != null)
            out.add(GateResult.pass(REVIEW, String.format(Locale.ROOT, "review: %.0f%% similar to candidate %d, which ended %s on parent %s%s; the parent has "
                    + "changed since, so it runs", 100 * otherSim, other.candidateId(), other.verdict(), abbrev(other.parent()),
                    other.reason() == null ? "" : " (" + Text.oneLine(other.reason(), 160) + ")")));
        List<String> risks = new ArrayList<>(change.scaleRisks());
        if (transferNote != null) risks.add(transferNote);
        if (!risks.isEmpty())
            out.add(GateResult.pass(SCALE, "scale risk: " + String.join("; ", risks) + ": a cheap-tier win of this kind often fails to carry to the full run, "
                    + "so promotion asks for more evidence"));
        return new Judgement(out);
    }


    private static String abbrev(String sha) { return sha.length() > 10 ? sha.substring(0, 10) : sha; }
}
