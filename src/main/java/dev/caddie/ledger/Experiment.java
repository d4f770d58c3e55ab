package dev.caddie.ledger;

/** A candidate with its latest run and verdict: one row of `caddie ledger list` and of the exports. */
public record Experiment(Candidate candidate, RunRecord run, Verdict verdict) {}
