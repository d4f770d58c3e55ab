package dev.caddie.loop;

import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.RunOutcome;
import dev.caddie.run.RunStatus;

/**
 * Tells the loop and the tournament when going on can only burn candidates: a run command that cannot start
 * fails every candidate alike, and candidates that crash one after another point at the machine or the
 * command, not at the candidates (without torchrun, a loop once made 430 crashing candidates in 25 s).
 */
final class FailureStreak {
    private final int max;
    private int inARow;

    /** @param max crashes in a row that stop the loop (0: never) */
    FailureStreak(int max) { this.max = max; }

    /** A candidate got past the point where a broken machine would have stopped it. */
    void passed() { inARow = 0; }

    /**
     * The verdict of a run the machine ended (see RunStatus.machineFault), or false when the candidate ended it. A
     * failed infrastructure says nothing of the candidate, so it is interrupted, not crashed, and may be proposed
     * again; remote evaluation files that differ from the pinned ones are a failed gate.
     */
    static boolean recordMachineFault(Ledger ledger, long cid, long runId, RunOutcome out, Double bestValue, String prefix) {
        RunStatus st = out.status();
        if (!st.machineFault()) return false;
        String last = out.errorLines().isEmpty() ? st.word : out.errorLines().get(out.errorLines().size() - 1);
        if (st == RunStatus.REJECTED) {
            ledger.addGateResult(cid, runId, "remote-protected-files", false, last);
            ledger.addVerdict(cid, runId, Verdict.REJECTED, prefix + "remote-protected-files: " + last, bestValue);
        } else if (st.infrastructure()) {
            ledger.addVerdict(cid, runId, Verdict.INTERRUPTED, prefix + "not judged, the infrastructure failed (" + st.word + "): " + last, bestValue);
        } else {
            ledger.addVerdict(cid, runId, Verdict.CRASH, prefix + last, bestValue);
        }
        return true;
    }

    /** Why to stop after this candidate's verdict, or null to go on. */
    String after(Experiment e) {
        if (e == null || e.verdict() == null) return null;
        String show = "`caddie ledger show " + e.candidate().id() + "` has the full log";
        RunStatus st = e.run() == null ? null : RunStatus.of(e.run().status());
        if (st == RunStatus.NOT_STARTED)
            return "the run command could not start: " + e.run().error() + ". No candidate can run until that is fixed; " + show;
        if (st != null && st.infrastructure())
            return "the " + e.run().executor() + " executor failed (" + st.word + "): " + e.run().error() + ". The candidate was not judged; "
                    + "`caddie executors check` says what is wrong, and the next start goes on from here";
        if (st == RunStatus.REJECTED)
            return e.run().error() + ". No candidate can be scored there until that is fixed; " + show;
        if (e.verdict().verdict().equals(Verdict.INTERRUPTED)) return null;
        inARow = e.verdict().verdict().equals(Verdict.CRASH) ? inARow + 1 : 0;
        if (max > 0 && inARow >= max)
            return inARow + " candidates in a row crashed (the last: " + e.verdict().reason() + "). That points at the machine or the run command "
                    + "rather than the candidates; fix it and run again, or raise [loop] max_consecutive_failures; " + show;
        return null;
    }
}
