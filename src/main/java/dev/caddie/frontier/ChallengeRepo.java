package dev.caddie.frontier;

import dev.caddie.run.Git;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A bare mirror of the challenge repository: its branches and every pull request's head
 * ({@code refs/pull/N/head}, which GitHub serves to any plain git fetch), read with git's plumbing. Blobs are read
 * through one long-lived {@code git cat-file --batch}, so thousands of submission files cost one process, not
 * thousands.
 */
public final class ChallengeRepo implements AutoCloseable {
    public static final String UPSTREAM = "https://github.com/openai/parameter-golf.git";
    /** Where submissions live: records/track_NAME/FOLDER/... */
    static final String RECORDS = "records/";

    private final Path dir;
    private Process batch;
    private OutputStream batchIn;
    private InputStream batchOut;

    private ChallengeRepo(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }

    /** The mirror in a folder (created on the first fetch). */
    public static ChallengeRepo at(Path dir) { return new ChallengeRepo(dir.toAbsolutePath().normalize()); }

    /** Where a source's mirror and index live outside a workspace: one folder per source under the user's cache. */
    public static Path cacheFor(String source) {
        String base = System.getenv("XDG_CACHE_HOME");
        Path cache = base != null && !base.isBlank() ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache");
        String slug = source.replaceAll("\\.git/?$", "").replaceAll(".*[/:]", "").replaceAll("[^A-Za-z0-9._-]", "_");
        return cache.resolve("caddie/frontier").resolve((slug.isEmpty() ? "repo" : slug) + "-" + sha256(source).substring(0, 10));
    }

    public boolean exists() { return Files.isRegularFile(dir.resolve("HEAD")); }

    /** The source this mirror was last fetched from, if any. */
    public String source() {
        try {
            return exists() ? Git.run(dir, "config", "--get", "caddie.source").strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Fetches the branches and PR heads from the source (a URL, or the path of any clone or mirror), incrementally:
     * git transfers only objects the mirror lacks. Refs gone from the source are pruned. git's own progress lines go
     * to {@code progress}.
     */
    public void fetch(String source, Consumer<String> progress) throws IOException {
        Path local = Path.of(source);
        if (!source.contains("://") && !source.contains("@") && !Files.isDirectory(local))
            throw new IllegalArgumentException("--repo " + source + ": no such folder, and not a URL; give a clone of the challenge repository "
                    + "or its URL (" + UPSTREAM + ")");
        String src = Files.isDirectory(local) ? local.toAbsolutePath().normalize().toString() : source;
        if (!exists()) {
            Files.createDirectories(dir);
            Git.run(dir, "init", "--bare", "-q");
        }
        Git.run(dir, "config", "caddie.source", src);
        List<String> cmd = List.of("git", "-c", "core.hooksPath=/dev/null", "fetch", "--prune", "--no-tags", "--progress", src,
                "+refs/heads/*:refs/heads/*", "+refs/pull/*/head:refs/pull/*/head");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0"); // a private URL fails with git's words instead of waiting for a password
        Process p = pb.start();
        p.getOutputStream().close();
        StringBuilder tail = new StringBuilder();
        // git separates progress updates with \r: each becomes one line for the live display
        try (InputStream in = new BufferedInputStream(p.getInputStream())) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\r' || b == '\n') {
                    String s = line.toString(StandardCharsets.UTF_8).strip();
                    line.reset();
                    if (s.isEmpty()) continue;
                    progress.accept(s);
                    tail.append(s).append('\n');
                    if (tail.length() > 4000) tail.delete(0, tail.length() - 4000);
                } else line.write(b);
            }
        }
        try {
            if (p.waitFor() != 0)
                throw new IOException("git fetch from " + src + " failed (exit " + p.exitValue() + "): "
                        + tail.toString().lines().filter(l -> l.startsWith("fatal") || l.startsWith("error")).findFirst().orElse(tail.toString().strip()));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + src);
        }
        pointHeadAtDefaultBranch(src);
    }

    /** HEAD follows the source's default branch (main for the challenge), so "main" means what the source says it does. */
    private void pointHeadAtDefaultBranch(String src) throws IOException {
        String target = null;
        try {
            for (String l : Git.run(dir, "ls-remote", "--symref", src, "HEAD").split("\n"))
                if (l.startsWith("ref: ")) target = l.substring(5, l.indexOf('\t')).strip();
        } catch (IOException e) {
            // a source without a symbolic HEAD: pick by name below
        }
        if (target == null || !refExists(target))
            for (String name : List.of("refs/heads/main", "refs/heads/master")) if (refExists(name)) { target = name; break; }
        if (target == null) {
            String first = Git.run(dir, "for-each-ref", "--count=1", "--format=%(refname)", "refs/heads/").strip();
            if (first.isEmpty()) throw new IllegalArgumentException(src + " has no branches: not a clone of the challenge repository");
            target = first;
        }
        Git.run(dir, "symbolic-ref", "HEAD", target);
    }

    private boolean refExists(String ref) {
        try {
            Git.run(dir, "rev-parse", "--verify", "-q", ref);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A branch head or a PR head, with its commit and committer date. */
    public record Ref(String name, Integer pr, String commit, String date) {}

    /** The default branch's ref. */
    public Ref main() throws IOException {
        String target = Git.run(dir, "symbolic-ref", "HEAD").strip();
        for (Ref r : refs(target)) if (r.name().equals(target)) return r;
        throw new IllegalStateException(dir + ": HEAD names " + target + ", which does not exist; run caddie frontier sync again");
    }

    /** Every PR head, by PR number. */
    public List<Ref> pulls() throws IOException { return refs("refs/pull/"); }

    private List<Ref> refs(String pattern) throws IOException {
        List<Ref> out = new ArrayList<>();
        String fmt = "%(refname)%00%(objectname)%00%(committerdate:iso-strict)";
        for (String l : Git.run(dir, "for-each-ref", "--format=" + fmt, pattern).split("\n")) {
            if (l.isBlank()) continue;
            String[] f = l.split("\0", -1);
            Integer pr = null;
            if (f[0].startsWith("refs/pull/")) {
                String n = f[0].substring("refs/pull/".length()).replaceAll("/head$", "");
                if (!n.matches("\\d{1,9}")) continue;
                pr = Integer.parseInt(n);
            }
            out.add(new Ref(f[0], pr, f[1], f[2]));
        }
        return out;
    }

    /** One entry of {@code git ls-tree -r -t -l}: a blob with its size, or a tree (size -1). */
    public record Entry(String path, boolean tree, String object, long size) {}

    /** The entries under the given paths (folders end in '/') at a commit; an empty list for none. */
    public List<Entry> tree(String commit, List<String> paths) throws IOException {
        if (paths.isEmpty()) return List.of();
        List<String> args = new ArrayList<>(List.of("ls-tree", "-r", "-t", "-l", "-z", commit, "--"));
        args.addAll(paths);
        List<Entry> out = new ArrayList<>();
        for (String rec : Git.run(dir, args.toArray(String[]::new)).split("\0")) {
            int tab = rec.indexOf('\t');
            if (tab < 0) continue;
            String[] meta = rec.substring(0, tab).trim().split("\\s+"); // <mode> <type> <object> <size>
            boolean isTree = meta[1].equals("tree");
            if (!isTree && !meta[1].equals("blob")) continue; // a submodule link holds no files
            out.add(new Entry(rec.substring(tab + 1), isTree, meta[2], isTree || meta[3].equals("-") ? -1 : Long.parseLong(meta[3])));
        }
        return out;
    }

    /**
     * Merges on the default branch's first-parent line: the merged head (second parent) to the branch before the
     * merge (first parent). A PR merged with a merge commit has its head in main's history, so its own changes are
     * those between the first parent and the head, not between main and the head (which are none).
     */
    public Map<String, String> mergedHeads(String main) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : Git.run(dir, "rev-list", "--first-parent", "--merges", "--parents", main).split("\n")) {
            String[] f = l.strip().split(" ");
            if (f.length >= 3) out.putIfAbsent(f[2], f[1]);
        }
        return out;
    }

    /** The paths under records/ that a head changed since it left {@code base} (their merge base). */
    public List<String> touched(String base, String head) throws IOException {
        List<String> out = new ArrayList<>();
        for (String p : Git.run(dir, "diff-tree", "-r", "--name-only", "-z", "--merge-base", base, head, "--", RECORDS).split("\0"))
            if (!p.isBlank()) out.add(p);
        return out;
    }

    /** Paths a single commit changed under records/ (for a merged head that is no merge's second parent). */
    public List<String> touchedBy(String commit) throws IOException {
        List<String> out = new ArrayList<>();
        for (String p : Git.run(dir, "diff-tree", "-r", "--name-only", "-z", "--no-commit-id", "--root", commit, "--", RECORDS).split("\0"))
            if (!p.isBlank()) out.add(p);
        return out;
    }

    public boolean isAncestor(String commit, String of) {
        try {
            Git.run(dir, "merge-base", "--is-ancestor", commit, of);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** When each folder under records/ was added on a branch (committer date, ISO), from one walk of its history. */
    public Map<String, String> addedDates(String branch) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String date = null;
        for (String l : Git.run(dir, "log", "--diff-filter=A", "--name-only", "--format=%x00%cI", branch, "--", RECORDS).split("\n")) {
            if (l.startsWith("\0")) date = l.substring(1).strip();
            else if (!l.isBlank() && date != null) {
                String folder = folderOf(l.strip());
                if (folder != null) out.put(folder, date); // the log walks newest first: the last write is the oldest add
            }
        }
        return out;
    }

    /** records/track_X/FOLDER for a path inside a submission folder, else null. */
    static String folderOf(String path) {
        if (!path.startsWith(RECORDS)) return null;
        String[] p = path.split("/");
        if (p.length < 4 || !p[1].startsWith("track_")) return null;
        return p[0] + "/" + p[1] + "/" + p[2];
    }

    /** A blob's bytes, through the long-lived cat-file process. */
    public synchronized byte[] blob(String id) throws IOException {
        if (batch == null) {
            batch = new ProcessBuilder("git", "cat-file", "--batch").directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            batchIn = batch.getOutputStream();
            batchOut = new BufferedInputStream(batch.getInputStream(), 1 << 16);
        }
        batchIn.write((id + "\n").getBytes(StandardCharsets.US_ASCII));
        batchIn.flush();
        String header = readLine(batchOut); // <object> <type> <size>, or "<object> missing"
        String[] h = header.split(" ");
        if (h.length < 3) throw new IOException(dir + ": no object " + id + " (" + header + ")");
        int size = Integer.parseInt(h[2]);
        byte[] out = batchOut.readNBytes(size);
        if (out.length != size || batchOut.read() != '\n') throw new IOException(dir + ": short read of object " + id);
        return out;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.write(c);
        if (c < 0 && b.size() == 0) throw new IOException("git cat-file ended");
        return b.toString(StandardCharsets.UTF_8);
    }

    static String sha256(String s) { return sha256(s.getBytes(StandardCharsets.UTF_8)); }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (batch != null) {
            try {
                batchIn.close();
            } catch (IOException ignored) {
                // the process is ending anyway
            }
            batch.destroy();
            batch = null;
        }
    }

    @Override
    public String toString() { return String.format(Locale.ROOT, "mirror %s", dir); }
}
