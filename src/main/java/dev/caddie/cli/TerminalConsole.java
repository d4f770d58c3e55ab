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
    private boolean lineOpen;

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
        if (p.step() >= 0) b.append(String.format(Locale.ROOT, "step %d/%d  train_loss %.4f", p.step(), p.total(), p.trainLoss()));
        else b.append("starting");
        if (!Double.isNaN(p.valBpb())) b.append(String.format(Locale.ROOT, "  val_bpb %.4f@%d", p.valBpb(), p.valStep()));
        long elapsed = elapsedMs / 1000;
        Long eta = null;
        if (trainSeconds != null && trainSeconds > 0) eta = Math.max(0, Math.round(trainSeconds) - elapsed);
        else if (p.step() > 0 && p.total() > 0) eta = Math.round(elapsed * (p.total() - p.step()) / (double) p.step());
        b.append(String.format(Locale.ROOT, "  %ds elapsed", elapsed));
        if (eta != null) b.append(", ETA ").append(eta).append("s of training");
        else b.append(" (timeout ").append(timeoutSeconds).append("s)");
        return b.toString();
    }

    @Override
    public void finished(Experiment e, List<Experiment> all) {
        closeLine();
        table(out, all);
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
        out.printf("%-5s %-8s %-12s %-11s %-10s %-10s %s%n", "id", "commit", "status", "val_bpb", "artifact", "verdict", "description");
        for (Experiment e : rows) {
            var r = e.run();
            String desc = e.candidate().description();
            if (desc.length() > 70) desc = desc.substring(0, 67) + "...";
            out.printf(Locale.ROOT, "%-5d %-8s %-12s %-11s %-10s %-10s %s%n", e.candidate().id(), e.candidate().commit().substring(0, 7),
                    r == null ? "-" : r.tier() + ":" + r.status(), r == null || r.valBpb() == null ? "-" : String.format(Locale.ROOT, "%.6f", r.valBpb()),
                    r == null || r.artifactBytes() == null ? "-" : r.artifactBytes().toString(), e.verdict() == null ? "-" : e.verdict().verdict(), desc);
        }
    }
}
