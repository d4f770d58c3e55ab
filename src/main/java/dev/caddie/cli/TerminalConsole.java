package dev.caddie.cli;

import dev.caddie.ledger.Experiment;
import dev.caddie.loop.LoopListener;
import dev.caddie.run.LiveProgress;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The loop in a terminal: a live line for the current run (tier, step/total, train_loss, elapsed/ETA) and
 * a table of finished experiments. Without a terminal the live line becomes a plain line every 15 s.
 */
final class TerminalConsole implements LoopListener {
    private final PrintStream out;
    private final boolean tty = System.console() != null && System.getenv("CADDIE_PLAIN") == null;
    private String tier = "";
    private Double trainSeconds;
    private long lastPrint, timeoutSeconds;
    private boolean lineOpen, headerShown, legendShown;

    TerminalConsole(PrintStream out) { this.out = out; }

    @Override
    public void candidate(long candidateId, String description) {
        closeLine();
        out.println("candidate " + candidateId + ": " + description);
    }

    @Override
    public void runStarted(long runId, String tier, long timeoutSeconds, Double trainSeconds) {
        this.tier = tier;
        this.trainSeconds = trainSeconds;
        this.timeoutSeconds = timeoutSeconds;
        lastPrint = 0;
        out.println("  run " + runId + " on tier " + tier + " (timeout " + timeoutSeconds + " s)");
    }

    @Override
    public synchronized void progress(LiveProgress p, long elapsedMs) {
        long now = System.currentTimeMillis();
        if (now - lastPrint < (tty ? 250 : 15_000)) return;
        lastPrint = now;
        String line = liveLine(p, elapsedMs);
        if (tty) {
            out.print("\r\033[K" + line);
            lineOpen = true;
        } else out.println(line);
        out.flush();
    }

    String liveLine(LiveProgress p, long elapsedMs) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  [%s] ", tier));
        boolean wallClock = trainSeconds != null && trainSeconds > 0;
        // A wall-clock-capped run stops on time, long before its ITERATIONS cap: showing "580/20000" misleads.
        if (p.step() >= 0) b.append(wallClock ? String.format(Locale.ROOT, "step %d  train_loss %.4f", p.step(), p.trainLoss())
                : String.format(Locale.ROOT, "step %d/%d  train_loss %.4f", p.step(), p.total(), p.trainLoss()));
        else b.append("starting");
        if (!Double.isNaN(p.valBpb())) b.append(String.format(Locale.ROOT, "  val_bpb %.4f@%d", p.valBpb(), p.valStep()));
        long elapsed = elapsedMs / 1000;
        b.append(String.format(Locale.ROOT, "  %ds elapsed", elapsed));
        if (wallClock) {
            long eta = Math.round(trainSeconds) - elapsed;
            b.append(eta > 0 ? ", ETA " + eta + "s of training" : ", training time is up: evaluating (timeout " + timeoutSeconds + "s)");
        } else if (p.step() > 0 && p.total() > 0) {
            b.append(", ETA ").append(Math.round(elapsed * (p.total() - p.step()) / (double) p.step())).append("s of training");
        } else b.append(" (timeout ").append(timeoutSeconds).append("s)");
        return b.toString();
    }

    /** One row per finished candidate, the header once: reprinting the whole table each time buried the reasons. */
    @Override
    public void finished(Experiment e, List<Experiment> all) {
        closeLine();
        if (!headerShown) header(out);
        headerShown = true;
        row(out, e);
        if (!legendShown && microScore(e)) out.println(MICRO_LEGEND);
        legendShown |= microScore(e);
    }

    @Override
    public void note(String message) {
        closeLine();
        out.println("note: " + message);
    }

    private void closeLine() {
        if (lineOpen) out.println();
        lineOpen = false;
    }

    static void table(PrintStream out, List<Experiment> rows) {
        header(out);
        for (Experiment e : rows) row(out, e);
        if (rows.stream().anyMatch(TerminalConsole::microScore)) out.println(MICRO_LEGEND);
    }

    private static void header(PrintStream out) {
        out.printf("%-5s %-8s %-18s %-11s %-10s %-11s %s%n", "id", "commit", "status", "val_bpb", "artifact", "verdict", "description");
    }

    private static final String MICRO_LEGEND = "      (a val_bpb in parentheses is from the micro tier's check before the real run: synthetic data, a few steps, not comparable)";

    /** A score from the micro check that stopped a candidate before its real tier; on a loop run on micro itself, scores are judged. */
    private static boolean microScore(Experiment e) {
        return e.run() != null && e.run().tier().equals("micro") && e.run().valBpb() != null && e.verdict() != null
                && e.verdict().reason() != null && e.verdict().reason().startsWith("micro: "); // the micro gate's verdicts
    }

    /**
     * A candidate's line, and for one not kept a second line saying why. A score from the micro check before a
     * real run (synthetic data, a few steps) is not comparable with the real tier's, so it stands in parentheses.
     */
    private static void row(PrintStream out, Experiment e) {
        var r = e.run();
        String desc = e.candidate().description().lines().findFirst().orElse("");
        if (desc.length() > 70) desc = desc.substring(0, 67) + "...";
        String score = r == null || r.valBpb() == null ? "-" : String.format(Locale.ROOT, "%.6f", r.valBpb());
        if (microScore(e)) score = String.format(Locale.ROOT, "(%.4f)", r.valBpb());
        out.printf(Locale.ROOT, "%-5d %-8s %-18s %-11s %-10s %-11s %s%n", e.candidate().id(), e.candidate().commit().substring(0, 7),
                r == null ? "-" : r.tier() + ":" + r.status(), score,
                r == null || r.artifactBytes() == null ? "-" : r.artifactBytes().toString(), e.verdict() == null ? "-" : e.verdict().verdict(), desc);
        if (e.verdict() != null && !e.verdict().verdict().equals(dev.caddie.ledger.Verdict.KEEP)) {
            String why = e.verdict().reason() == null ? "" : e.verdict().reason().replace('\n', ' ');
            if (why.length() > 150) why = why.substring(0, 147) + "...";
            if (!why.isEmpty()) out.println("      why: " + why);
        }
    }
}
