package dev.caddie.frontier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.FrontierStore;
import dev.caddie.ledger.Submission;
import dev.caddie.rules.ScriptCode;
import dev.caddie.run.Git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Triage of indexed submissions: each judged by its own evidence and against the earlier submissions that share a
 * file (by git blob) or a script fingerprint with it, found by an index lookup instead of comparing every pair.
 */
public final class FrontierTriage {
    /** Earlier submissions handed to the judge at most: copies are found among those sharing files, and these are few. */
    private static final int MAX_EARLIER = 12;

    private final ChallengeRepo repo;
    private final FrontierStore store;
    private final ScriptCode baseline;
    private final Triage.Linter lint;
    /** Lint findings by script hash: forks share scripts, and linting is a Python process. */
    private final Map<String, List<dev.caddie.rules.LintFinding>> linted = new java.util.concurrent.ConcurrentHashMap<>();
    /** A folder on main to the PR that brought it (the lowest PR number with that folder). */
    private final Map<String, Integer> prOfFolder = new HashMap<>();
    private final ScriptSimilarity similarity;
    private final List<Submission> all;

    public FrontierTriage(ChallengeRepo repo, FrontierStore store, boolean lint) throws IOException {
        this.repo = repo;
        this.store = store;
        this.lint = lint ? this::lintOnce : null;
        this.all = store.all();
        for (Submission s : all) if (s.pr() != null) prOfFolder.merge(s.folder(), s.pr(), Math::min);
        this.baseline = rootBaseline(repo);
        this.similarity = new ScriptSimilarity(repo);
    }

    private List<dev.caddie.rules.LintFinding> lintOnce(ScriptCode script, ScriptCode base) throws IOException, InterruptedException {
        String key = ChallengeRepo.sha256(script.bytes());
        List<dev.caddie.rules.LintFinding> had = linted.get(key);
        if (had != null) return had;
        List<dev.caddie.rules.LintFinding> found = dev.caddie.rules.ScriptLint.lint(script, base);
        linted.put(key, found);
        return found;
    }

    /** The challenge keeps its baseline script at the repository's root; null when this repository does not. */
    private static ScriptCode rootBaseline(ChallengeRepo repo) {
        try {
            return ScriptCode.of(Path.of("train_gpt.py"), Git.bytes(repo.dir(), "show", "HEAD:train_gpt.py"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public List<Submission> all() { return all; }

    /** Closed on GitHub without being merged (withdrawn or refused), as far as the last listing knows. */
    public boolean closedUnmerged(int pr) {
        String[] gh = store.pull(pr);
        return gh != null && "closed".equals(gh[1]) && gh[2] == null;
    }

    /** The PR number a submission came in by: its own, or for a folder on main, the PR that holds that folder. */
    public Integer prOf(Submission s) { return s.pr() != null ? s.pr() : prOfFolder.get(s.folder()); }

    /**
     * Submission order: the day submitted, then the PR number (GitHub numbers PRs as they are opened, so a copy that
     * carries the original's submission.json date still comes after it), a folder the organisers committed to main
     * without a PR first on its day. A total order, so that sorting thousands of submissions is well defined.
     */
    public Comparator<Submission> order() {
        return Comparator.comparing(FrontierTriage::day)
                .thenComparing(s -> prOf(s) == null ? -1 : prOf(s))
                .thenComparing(Submission::folder)
                .thenComparing(Submission::ref);
    }

    private static String day(Submission s) { return s.date() == null ? "9999" : s.date().substring(0, Math.min(10, s.date().length())); }

    /** The same submission in two places: a merged folder on main and the PR that brought it. */
    private boolean same(Submission a, Submission b) {
        return a.id() == b.id() || a.folder().equals(b.folder()) && ("main".equals(a.ref()) || "main".equals(b.ref()));
    }

    /** Judges one indexed submission and keeps its verdict in the index. */
    public Judged judge(Submission s) throws IOException {
        SubmissionFolder folder = folder(s);
        List<String> blobs = new ArrayList<>();
        for (String n : folder.logNames()) if (s.files().containsKey(n)) blobs.add(s.files().get(n).blob());
        if (s.scriptBlob() != null) blobs.add(s.scriptBlob());
        Comparator<Submission> order = order();
        List<Submission> earlier = new ArrayList<>();
        for (Submission e : store.sharing(blobs, s.scriptFp()))
            if (!same(e, s) && order.compare(e, s) < 0 && earlier.stream().noneMatch(x -> same(x, e))) earlier.add(e);
        earlier.sort(order.reversed());
        List<SubmissionFolder> earlierFolders = new ArrayList<>();
        for (Submission e : earlier.subList(0, Math.min(MAX_EARLIER, earlier.size()))) earlierFolders.add(folder(e));
        Triage.Result r = Triage.judge(folder, baseline, earlierFolders, lint);
        Submission parent = parent(s);
        ObjectNode json = Triage.json(r);
        if (parent != null) json.putObject("parent").put("folder", parent.folder()).put("pr", prOf(parent)).put("commit", parent.commit())
                .put("similarity", Math.round(similarity.of(s, parent) * 1000) / 1000.0);
        Integer pr = prOf(s);
        if (pr != null) {
            json.put("pr", pr);
            String[] gh = store.pull(pr); // what GitHub said, when a token let sync ask
            if (gh != null) json.put("pr_title", gh[0]).put("pr_state", gh[2] != null ? "merged" : gh[1]);
        }
        json.put("commit", s.commit()).put("on_main", s.onMain()).put("linted", lint != null);
        store.setVerdict(s.id(), r.verdict().code, json.toString());
        return new Judged(s, r, parent, json);
    }

    /** A verdict with its submission and the earlier one it builds on. */
    public record Judged(Submission submission, Triage.Result result, Submission parent, ObjectNode json) {}

    /** The earlier submission on main whose script this one's most resembles (what it was built from), or null. */
    public Submission parent(Submission s) throws IOException {
        Comparator<Submission> order = order();
        List<Submission> base = new ArrayList<>();
        for (Submission e : all) if (e.onMain() && "main".equals(e.ref()) && !same(e, s) && order.compare(e, s) < 0) base.add(e);
        return similarity.closest(s, base);
    }

    ScriptSimilarity similarity() { return similarity; }

    /** The submission's script as the code that runs (a wrapper decoded), or null when it has none that reads. */
    public String code(Submission s) throws IOException {
        Submission.File f = s.scriptBlob() == null ? null : s.files().values().stream().filter(x -> x.blob().equals(s.scriptBlob())).findFirst().orElse(null);
        if (f == null || f.size() > SubmissionFolder.MAX_FILE) return null;
        try {
            return new String(ScriptCode.of(Path.of("train_gpt.py"), repo.blob(f.blob())).code(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The folder's files from the mirror; large files (models) are left out as SubmissionFolder leaves them. */
    public SubmissionFolder folder(Submission s) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        for (Map.Entry<String, Submission.File> f : s.files().entrySet())
            if (f.getValue().size() <= SubmissionFolder.MAX_FILE) files.put(f.getKey(), repo.blob(f.getValue().blob()));
        Integer pr = prOf(s);
        return new SubmissionFolder((pr != null ? "PR " + pr + " " : "main ") + s.folder(), s.track(), files);
    }

    /** Groups the index's rows by submission: a merged folder and its PR are one, judged once (the PR's row). */
    public List<Submission> distinct() {
        Map<String, Submission> out = new LinkedHashMap<>();
        for (Submission s : all) {
            String k = s.folder() + "\0" + s.tree();
            Submission had = out.get(k);
            if (had == null || had.pr() == null && s.pr() != null) out.put(k, s);
        }
        return new ArrayList<>(out.values());
    }
}
