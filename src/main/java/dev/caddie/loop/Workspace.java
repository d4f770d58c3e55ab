package dev.caddie.loop;

import java.nio.file.Path;

/** Where Caddie keeps its state inside a workspace: .caddie/ledger.db, .caddie/runs/ID/, .caddie/worktrees/. */
public record Workspace(Path root) {
    public Path caddieDir() { return root.resolve(".caddie"); }
    public Path ledgerFile() { return caddieDir().resolve("ledger.db"); }
    public Path runDir(long runId) { return caddieDir().resolve("runs").resolve(Long.toString(runId)); }
    public Path worktrees() { return caddieDir().resolve("worktrees"); }
}
