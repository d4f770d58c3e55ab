package dev.caddie.search;

import dev.caddie.task.TaskSpec;

import java.util.List;
import java.util.Map;

/** What a proposer may know when it proposes: the task, the finished trials of this tag, and the best env. */
public record ProposalContext(TaskSpec task, List<Trial> history, Map<String, String> bestEnv, Double bestValue, int number) {}
