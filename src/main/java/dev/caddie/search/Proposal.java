package dev.caddie.search;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One proposed change: a description (the hypothesis in a line), env overrides, and optionally an edit of
 * the candidate's worktree. The harness commits the edit, gates it and runs it; a proposer never records a result.
 */
public record Proposal(String description, Map<String, String> env, Edit edit) {

    /** A code change applied to a fresh worktree checked out at the parent commit. */
    public interface Edit {
        void apply(Path worktree) throws IOException;
    }

    public static Proposal env(String description, Map<String, String> env) { return new Proposal(description, env, null); }
}
