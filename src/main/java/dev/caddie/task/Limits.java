package dev.caddie.task;

/** The challenge's hard limits: artifact bytes (decimal), script lines, training seconds. */
public record Limits(long artifactBytes, int scriptLines, int trainSeconds) {}
