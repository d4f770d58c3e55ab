package dev.caddie.loop;

import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Verdict;
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

    /** Why to stop after this candidate's verdict, or null to go on. */
    String after(Experiment e) {
        if (e == null || e.verdict() == null || e.verdict().verdict().equals(Verdict.INTERRUPTED)) return null;
        String show = "`caddie ledger show " + e.candidate().id() + "` has the full log";
        if (e.run() != null && e.run().status().equals(RunStatus.NOT_STARTED.word))
            return "the run command could not start: " + e.run().error() + ". No candidate can run until that is fixed; " + show;
        inARow = e.verdict().verdict().equals(Verdict.CRASH) ? inARow + 1 : 0;
        if (max > 0 && inARow >= max)
            return inARow + " candidates in a row crashed (the last: " + e.verdict().reason() + "). That points at the machine or the run command "
                    + "rather than the candidates; fix it and run again, or raise [loop] max_consecutive_failures; " + show;
        return null;
    }
}
