package dev.caddie.ledger;

/** What one gate said about a candidate (and run, for gates after a run). */
public record GateRecord(long candidateId, Long runId, String gate, boolean passed, String reason, String createdAt) {}
