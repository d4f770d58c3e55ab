package dev.caddie.cli;

import java.io.PrintStream;

/**
 * One line of progress on stderr that rewrites itself in a terminal; elsewhere (a log file, CI) a plain line at most
 * every 10 s, so long work shows it is alive without burying the output.
 */
final class LiveLine implements java.util.function.Consumer<String>, AutoCloseable {
    private final PrintStream out;
    private final boolean tty = System.console() != null && System.getenv("CADDIE_PLAIN") == null;
    private long last;
    private boolean open;
    private String pending;

    LiveLine(PrintStream out) { this.out = out; }

    @Override
    public synchronized void accept(String line) {
        long now = System.currentTimeMillis();
        pending = line;
        if (now - last < (tty ? 200 : 10_000)) return;
        last = now;
        show(line);
    }

    private void show(String line) {
        if (tty) {
            out.print("\r\033[K" + line);
            open = true;
        } else out.println(line);
        pending = null;
        out.flush();
    }

    /** Shows the last update if it was held back, and ends the line. */
    @Override
    public synchronized void close() {
        if (pending != null) show(pending);
        if (open) out.println();
        open = false;
    }
}
