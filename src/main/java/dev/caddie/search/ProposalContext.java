package dev.caddie.search;

import dev.caddie.task.TaskSpec;

import java.util.List;
import java.util.Map;

/** What a proposer may know when it proposes: the task, the tag (its ledger record), the finished trials of this tag, and the best env. */
public record ProposalContext(TaskSpec task, String tag, List<Trial> history, Map<String, String> bestEnv, Double bestValue, int number) {}
