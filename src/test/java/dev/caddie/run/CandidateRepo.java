package dev.caddie.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A git repository with one commit holding the given files: the candidate an executor test ships. */
final class CandidateRepo {
    private CandidateRepo() {}

    static Path commit(Path dir, Map<String, String> files) throws Exception {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) Files.writeString(dir.resolve(f.getKey()), f.getValue());
        Git.run(dir, "init", "-q");
        Git.run(dir, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".");
        Git.run(dir, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "candidate");
        return dir;
    }
}
