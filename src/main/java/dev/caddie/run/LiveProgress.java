package dev.caddie.run;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a run has printed so far, updated line by line while it goes: step, loss and the last validation. */
public final class LiveProgress {
    private static final Pattern TIMESTAMP = Pattern.compile("^\\d{10}\\.\\d{3} ");
    private static final Pattern STEP = Pattern.compile("^(?:step:(\\d+)/(\\d+)|(\\d+)/(\\d+)) (?:train_)?loss:\\s?(\\S+)");
    private static final Pattern TRAIN_TIME = Pattern.compile(" train_time:\\s?([0-9.]+)ms");
    private static final Pattern VAL = Pattern.compile("^(?:step:(\\d+)/\\d+|(\\d+)/\\d+) val_loss:\\s?\\S+ val_bpb:\\s?([0-9.]+|nan)");

    private volatile int step = -1, total = -1;
    private volatile double trainLoss = Double.NaN, valBpb = Double.NaN, trainTimeMs = Double.NaN;
    private volatile int valStep = -1;
    private volatile long lines;

    /** Reads one log line; returns true if it changed the progress. */
    public boolean accept(String raw) {
        lines++;
        String line = TIMESTAMP.matcher(raw).replaceFirst("");
        Matcher m = VAL.matcher(line);
        if (m.find()) {
            valStep = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            valBpb = parse(m.group(3));
            return true;
        }
        m = STEP.matcher(line);
        if (m.find()) {
            boolean a = m.group(1) != null;
            step = Integer.parseInt(a ? m.group(1) : m.group(3));
            total = Integer.parseInt(a ? m.group(2) : m.group(4));
            trainLoss = parse(m.group(5));
            Matcher t = TRAIN_TIME.matcher(line);
            trainTimeMs = t.find() ? parse(t.group(1)) : Double.NaN;
            return true;
        }
        return false;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    public int step() { return step; }
    public int total() { return total; }
    public double trainLoss() { return trainLoss; }
    public double valBpb() { return valBpb; }
    /** Training time the step line reports (the timer that a wall-clock budget caps), NaN where it says none. */
    public double trainTimeMs() { return trainTimeMs; }
    public int valStep() { return valStep; }
    public long lines() { return lines; }
}
