package dev.caddie.task;

/** The number a task optimises and which way is better. */
public record Metric(String name, boolean minimize) {
    /** True when a is strictly better than b. */
    public boolean better(double a, double b) { return minimize ? a < b : a > b; }

    /** How much a improves on b, positive when better. */
    public double improvement(double a, double b) { return minimize ? b - a : a - b; }
}
