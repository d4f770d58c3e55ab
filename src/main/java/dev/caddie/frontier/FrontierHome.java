package dev.caddie.frontier;

import dev.caddie.ledger.Ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the mirror of the challenge repository and its index live: inside a workspace, under .caddie/ with the
 * index in the workspace's ledger (the loop and the agents read it there); outside one, under the user's cache, one
 * folder per source, so a reviewer with only a clone can triage from anywhere.
 *
 * @param source the repository to fetch from (a URL or a path), or null to fetch from where it was fetched last
 */
public record FrontierHome(Path mirror, Path index, boolean inWorkspace, String source) {
    public static FrontierHome of(Path workspace, String source) {
        if (Files.isRegularFile(workspace.resolve("caddie.toml")))
            return new FrontierHome(workspace.resolve(".caddie/frontier/challenge.git"), workspace.resolve(".caddie/ledger.db"), true, source);
        String src = source != null ? source : ChallengeRepo.UPSTREAM;
        if (src.equals(ChallengeRepo.UPSTREAM) || src.contains("://") || src.contains("@")) {
            Path cache = ChallengeRepo.cacheFor(src);
            return new FrontierHome(cache.resolve("repo.git"), cache.resolve("index.db"), false, src);
        }
        // A local clone: one cache per clone, keyed by its real path (two spellings of one folder share it)
        Path p = Path.of(src).toAbsolutePath().normalize();
        try {
            p = p.toRealPath();
        } catch (IOException e) {
            // a missing folder is named by the fetch, with what to give instead
        }
        Path cache = ChallengeRepo.cacheFor(p.toString());
        return new FrontierHome(cache.resolve("repo.git"), cache.resolve("index.db"), false, p.toString());
    }

    public ChallengeRepo repo() { return ChallengeRepo.at(mirror); }

    public Ledger openIndex() throws IOException { return Ledger.open(index); }

    /** Whether there is an index to read without fetching first. */
    public boolean synced() { return ChallengeRepo.at(mirror).exists() && Files.exists(index); }

    /** What to fetch from: the source given, else where this mirror was fetched from, else the challenge upstream. */
    public String fetchFrom() {
        if (source != null) return source;
        String last = ChallengeRepo.at(mirror).source();
        return last != null ? last : ChallengeRepo.UPSTREAM;
    }
}
