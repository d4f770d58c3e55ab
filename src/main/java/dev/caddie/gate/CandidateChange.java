package dev.caddie.gate;

import dev.caddie.task.TaskSpec;

import java.nio.file.Path;
import java.util.List;

/** What static gates look at: the task, the candidate's worktree and the files its commit changed. */
public record CandidateChange(TaskSpec task, Path worktree, List<String> changedFiles) {}
