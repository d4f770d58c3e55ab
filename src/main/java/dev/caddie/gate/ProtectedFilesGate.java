package dev.caddie.gate;

import dev.caddie.run.Runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluation code and data may not change: the commit must not touch a protected path, and every protected
 * file must still hash to the SHA-256 pinned at init (in the worktree if tracked, else in the workspace).
 */
public final class ProtectedFilesGate implements Gate {
    /** Hashes of big untracked files (validation shards) are reused while their size and mtime stay the same. */
    private final Map<Path, Object[]> cache = new ConcurrentHashMap<>();

    @Override
    public String name() { return "protected-files"; }

    @Override
    public GateResult check(CandidateChange c) throws IOException {
        Map<String, String> pinned = c.task().protectedFiles();
        List<String> touched = c.changedFiles().stream().filter(pinned::containsKey).toList();
        if (!touched.isEmpty())
            return GateResult.fail(name(), "changes protected file(s) " + String.join(", ", touched) + " (evaluation code and data are pinned in caddie.toml [protected])");
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, String> e : pinned.entrySet()) {
            Path p = c.worktree().resolve(e.getKey());
            if (!Files.exists(p)) p = c.task().workspace().resolve(e.getKey());
            if (!Files.exists(p)) bad.add(e.getKey() + " is missing");
            else if (!hash(p).equals(e.getValue())) bad.add(e.getKey() + " no longer matches its pinned SHA-256");
        }
        return bad.isEmpty() ? GateResult.pass(name(), pinned.size() + " protected file(s) unchanged")
                : GateResult.fail(name(), String.join("; ", bad));
    }

    private String hash(Path p) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(p);
        long size = Files.size(p);
        Path key = p.toAbsolutePath().normalize();
        Object[] hit = cache.get(key);
        if (hit != null && hit[0].equals(mtime) && (long) hit[1] == size) return (String) hit[2];
        String h = Runner.sha256(p);
        cache.put(key, new Object[]{mtime, size, h});
        return h;
    }
}
