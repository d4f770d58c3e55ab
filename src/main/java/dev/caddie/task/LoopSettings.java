package dev.caddie.task;

/**
 * The [loop] table of caddie.toml: how the keep/discard loop decides.
 *
 * @param tier        the tier `caddie run` uses unless told otherwise
 * @param keepMargin  the least improvement ever kept (metric units)
 * @param microFirst  run every candidate on the micro tier before a dearer one
 * @param keepRule    "noise" (beat noiseK sigma of the tier's seed noise) or "margin" (beat keepMargin)
 * @param noiseSeeds  seeds of the first scored commit on a tier, to measure its noise
 * @param noiseK      how many sigma a kept improvement must exceed
 * @param abortK      a live run more than abortK sigma worse than the best at two checkpoints is stopped (0: never)
 * @param sota          the public state of the art, for the "sota" rule (null when not given)
 * @param sotaFraction  under the "sota" rule, the share of the gap between the best and the SOTA a gain must exceed
 * @param maxConsecutiveFailures  the loop stops after this many candidates in a row crashed (0: never)
 */
public record LoopSettings(String tier, double keepMargin, boolean microFirst, String keepRule, int noiseSeeds, double noiseK,
                           double abortK, Double sota, double sotaFraction, int maxConsecutiveFailures) {}
