package dev.caddie.ledger;

/**
 * A candidate on a tier with a seed, as the ledger holds it. Metric fields are null until the run ends; remote is
 * the executor's handle of a run on another machine (null for a local run).
 */
public record RunRecord(long id, long candidateId, String tier, long seed, String executor, String status,
                        Long pid, String startedAt, String endedAt, Long durationMs, Integer exitCode,
                        String logPath, String logSha256, String scoreName, Double valBpb, Double valLoss,
                        Long artifactBytes, Long codeBytes, Long trainTimeMs, Integer stopStep, Long peakMemMib,
                        String error, Double costUsd, Long savedMs, String remote) {}
