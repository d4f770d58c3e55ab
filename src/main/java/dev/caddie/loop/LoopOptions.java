package dev.caddie.loop;

/**
 * How long and where the loop runs.
 *
 * @param experiments stop after this many new experiments (null: no limit)
 * @param hours       stop starting experiments after this many hours (null: no limit)
 */
public record LoopOptions(String tag, Integer experiments, Double hours, String tier, long seed) {}
