package dev.caddie.ledger;

import java.util.Map;

/** One proposed change: a commit on top of a parent, with the env overrides it runs with and who proposed it. */
public record Candidate(long id, String tag, String commit, String parent, String proposer, String description,
                        Map<String, String> env, int filesChanged, int linesAdded, int linesRemoved, String createdAt) {}
