package dev.caddie.frontier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.FrontierStore;
import dev.caddie.ledger.Submission;
import dev.caddie.rules.SubmissionFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Indexes the mirror's submission folders into the ledger: every folder on main, and the folders each PR head
 * changed. A ref whose commit is the one indexed last time is not read again, so a second sync costs only what moved.
 */
public final class FrontierSync {
    /** What a sync did. */
    public record Summary(int pulls, int pullsRead, int forgotten, int submissions, int mainFolders, long millis) {}

    private static final Pattern DAY = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2})");
    /** Files of a submission are read one subfolder deep (logs/ beside the script), as SubmissionFolder reads a folder. */
    private static final int MAX_DEPTH = 1;
    /** submission.json and scripts above this are not read for their fields (a model committed under that name). */
    private static final long READ_LIMIT = 4L << 20;

    private final ChallengeRepo repo;
    private final FrontierStore store;
    private final Consumer<String> progress;
    /** Script fingerprints by blob: forks share scripts, so most are computed once. */
    private final Map<String, String> fingerprints = new HashMap<>();

    public FrontierSync(ChallengeRepo repo, FrontierStore store, Consumer<String> progress) {
        this.repo = repo;
        this.store = store;
        this.progress = progress;
    }

    public Summary run() throws IOException {
        long t0 = System.currentTimeMillis();
        Map<String, String> indexed = store.refs();
        fingerprints.putAll(store.fingerprints()); // one query, not every folder with its files

        ChallengeRepo.Ref main = repo.main();
        Set<String> mainFolders;
        if (!main.commit().equals(indexed.get("main"))) {
            progress.accept("reading main at " + main.commit().substring(0, 9));
            Map<String, String> added = repo.addedDates(main.commit());
            List<Submission> found = folders("main", null, main.commit(), repo.tree(main.commit(), List.of(ChallengeRepo.RECORDS)), added::get);
            store.replace("main", main.commit(), found);
            mainFolders = new TreeSet<>();
            for (Submission s : found) mainFolders.add(s.folder());
        } else {
            mainFolders = new TreeSet<>();
            for (Submission s : store.onMain()) mainFolders.add(s.folder());
        }

        List<ChallengeRepo.Ref> pulls = repo.pulls();
        Set<String> live = new HashSet<>();
        List<ChallengeRepo.Ref> changed = new ArrayList<>();
        for (ChallengeRepo.Ref r : pulls) {
            String key = key(r);
            live.add(key);
            if (!r.commit().equals(indexed.get(key))) changed.add(r);
        }
        List<String> gone = new ArrayList<>();
        for (String k : indexed.keySet()) if (k.startsWith("pull/") && !live.contains(k)) gone.add(k);
        if (!gone.isEmpty()) store.forget(gone);

        Map<String, String> merged = changed.isEmpty() ? Map.of() : repo.mergedHeads(main.commit());
        long start = System.currentTimeMillis();
        int done = 0;
        for (ChallengeRepo.Ref r : changed) {
            List<String> paths = ownChanges(r, main.commit(), merged);
            Set<String> folders = new TreeSet<>();
            for (String p : paths) {
                String f = ChallengeRepo.folderOf(p);
                if (f != null) folders.add(f);
            }
            List<String> specs = folders.stream().map(f -> f + "/").toList();
            store.replace(key(r), r.commit(), folders(key(r), r.pr(), r.commit(), repo.tree(r.commit(), specs), f -> r.date()));
            done++;
            if (done % 25 == 0 || done == changed.size()) {
                long el = System.currentTimeMillis() - start;
                long eta = done == 0 ? 0 : el * (changed.size() - done) / done / 1000;
                progress.accept(String.format(Locale.ROOT, "indexing PR heads: %,d/%,d  ETA %ds", done, changed.size(), eta));
            }
        }
        store.markOnMain(mainFolders);
        return new Summary(pulls.size(), changed.size(), gone.size(), store.count(), mainFolders.size(), System.currentTimeMillis() - t0);
    }

    static String key(ChallengeRepo.Ref r) { return "pull/" + r.pr(); }

    /**
     * What a PR changed under records/: against main's merge base while it is open; once merged with a merge
     * commit, against the branch it was merged into; a merged head no merge names (squashed and later merged
     * again, or fast-forwarded), by its own last commit.
     */
    private List<String> ownChanges(ChallengeRepo.Ref r, String main, Map<String, String> merged) throws IOException {
        String before = merged.get(r.commit());
        if (before != null) return repo.touched(before, r.commit());
        List<String> paths = repo.touched(main, r.commit());
        if (paths.isEmpty() && repo.isAncestor(r.commit(), main)) return repo.touchedBy(r.commit());
        return paths;
    }

    /** The submission folders among the entries, each with its files, fields and fingerprint. */
    private List<Submission> folders(String ref, Integer pr, String commit, List<ChallengeRepo.Entry> entries,
                                     java.util.function.Function<String, String> commitDate) throws IOException {
        Map<String, Map<String, Submission.File>> byFolder = new LinkedHashMap<>();
        for (ChallengeRepo.Entry e : entries) {
            if (e.tree()) continue;
            String folder = ChallengeRepo.folderOf(e.path());
            if (folder == null) continue;
            String rel = e.path().substring(folder.length() + 1);
            if (rel.chars().filter(c -> c == '/').count() > MAX_DEPTH) continue;
            byFolder.computeIfAbsent(folder, k -> new TreeMap<>()).put(rel, new Submission.File(e.object(), e.size()));
        }
        List<Submission> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, Submission.File>> f : byFolder.entrySet()) {
            Map<String, Submission.File> files = f.getValue();
            StringBuilder identity = new StringBuilder();
            files.forEach((n, b) -> identity.append(n).append('\0').append(b.blob()).append('\n'));
            String name = null, author = null, date = null;
            Double claimed = null;
            Submission.File json = files.get("submission.json");
            if (json != null && json.size() <= READ_LIMIT) {
                try {
                    JsonNode j = new ObjectMapper().readTree(repo.blob(json.blob()));
                    if (j != null && j.isObject()) {
                        SubmissionFile sf = SubmissionFile.of(j);
                        name = sf.name();
                        author = sf.githubId() != null ? sf.githubId() : sf.author();
                        claimed = sf.valBpb();
                        date = sf.date();
                    }
                } catch (IOException | RuntimeException e) {
                    // malformed JSON: triage names it; the index keeps the folder without its fields
                }
            }
            String folderName = f.getKey().substring(f.getKey().lastIndexOf('/') + 1);
            if (date == null || !DAY.matcher(date).find()) {
                Matcher d = DAY.matcher(folderName);
                date = d.find() ? d.group(1) : commitDate.apply(f.getKey());
            }
            String scriptName = scriptOf(files);
            String blob = scriptName == null ? null : files.get(scriptName).blob();
            String fp = null;
            if (blob != null && files.get(scriptName).size() <= READ_LIMIT)
                fp = fingerprints.computeIfAbsent(blob, b -> {
                    try {
                        return ScriptFingerprint.of(repo.blob(b));
                    } catch (IOException e) {
                        return null;
                    }
                });
            out.add(new Submission(0, ref, pr, commit, f.getKey(), SubmissionFolder.trackOf(f.getKey()), ChallengeRepo.sha256(identity.toString()).substring(0, 40),
                    date, name, author, claimed, blob, fp, "main".equals(ref), files, null, null));
        }
        return out;
    }

    /** train_gpt.py, else the one top-level .py file whose name says it trains (some ship train_gpt_cuda_*.py). */
    static String scriptOf(Map<String, Submission.File> files) {
        if (files.containsKey("train_gpt.py")) return "train_gpt.py";
        String found = null;
        for (String n : files.keySet())
            if (!n.contains("/") && n.endsWith(".py") && n.startsWith("train")) {
                if (found != null) return null; // two candidates: the folder does not say which one runs
                found = n;
            }
        return found;
    }
}
