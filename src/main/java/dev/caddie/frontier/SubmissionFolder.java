package dev.caddie.frontier;

import dev.caddie.run.Git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One submission as the challenge repository holds it: a folder under records/track_*&#47; with its README.md,
 * submission.json, train logs and script, read from disk or from a commit of a clone (a PR head).
 *
 * @param where  how to name it in evidence (a path, or COMMIT:FOLDER)
 * @param track  "track_10min_16mb", "track_non_record_16mb", or null when the path does not say
 * @param files  file name (relative to the folder) to its bytes; large binaries (models) are left out
 */
public record SubmissionFolder(String where, String track, Map<String, byte[]> files) {
    public static final String RECORD = "track_10min_16mb", NON_RECORD = "track_non_record_16mb";
    /** Text files of a submission are well under this; a model checkpoint committed by mistake is not read. */
    static final long MAX_FILE = 16L << 20;

    public SubmissionFolder {
        files = Map.copyOf(files);
    }

    public boolean recordTrack() { return RECORD.equals(track); }

    static String trackOf(String path) {
        if (path.contains(NON_RECORD)) return NON_RECORD;
        if (path.contains(RECORD)) return RECORD;
        return null;
    }

    /** A folder on disk, with its files one level of subfolders deep (some records keep logs/ apart). */
    public static SubmissionFolder fromDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": " + (Files.exists(dir) ? "is a file" : "no such folder")
                + "; give a submission folder (README.md, submission.json, train logs, train_gpt.py)");
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir, 2)) {
            for (Path p : s.filter(Files::isRegularFile).toList())
                if (Files.size(p) <= MAX_FILE) files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
        Path abs = dir.toAbsolutePath().normalize();
        return new SubmissionFolder(dir.toString(), trackOf(abs.toString()), files);
    }

    /** The folder as a commit of a clone has it (`git show COMMIT:FOLDER/...`), e.g. a PR head fetched as refs/pull/N/head. */
    public static SubmissionFolder fromCommit(Path repo, String commit, String folder) throws IOException {
        Git.requireRepo(repo);
        String f = folder.replaceAll("/+$", "");
        String listing;
        try {
            listing = Git.run(repo, "ls-tree", "-r", "-l", "-z", commit, "--", f + "/"); // -z: paths unquoted, whatever their letters
        } catch (Git.GitException e) {
            throw new IllegalArgumentException("no commit " + commit + " in " + repo + " (fetch it first, e.g. git fetch origin pull/N/head)");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String line : listing.split("\0")) {
            if (line.isBlank()) continue;
            // <mode> <type> <object> <size>\t<path>
            String[] meta = line.substring(0, line.indexOf('\t')).trim().split("\\s+");
            String path = line.substring(line.indexOf('\t') + 1);
            if (!meta[1].equals("blob") || meta[3].equals("-") || Long.parseLong(meta[3]) > MAX_FILE) continue;
            String rel = path.substring(f.length() + 1);
            if (rel.chars().filter(c -> c == '/').count() > 1) continue;
            files.put(rel, Git.bytes(repo, "cat-file", "blob", meta[2]));
        }
        if (files.isEmpty()) throw new IllegalArgumentException(commit + ":" + f + ": no such folder in that commit (or it holds no files)");
        return new SubmissionFolder(commit.substring(0, Math.min(9, commit.length())) + ":" + f, trackOf(f), files);
    }

    /** Files that are train logs by name: *.log, and *.txt other than the usual non-logs. */
    public List<String> logNames() {
        return files.keySet().stream().filter(n -> {
            String base = n.substring(n.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
            return base.endsWith(".log") || base.endsWith(".txt") && !base.startsWith("requirements") && !base.startsWith("license");
        }).sorted().toList();
    }
}
