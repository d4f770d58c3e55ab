package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.frontier.ChallengeRepo;
import dev.caddie.frontier.FrontierHome;
import dev.caddie.frontier.FrontierTriage;
import dev.caddie.frontier.SubmissionFolder;
import dev.caddie.frontier.Triage;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Submission;
import dev.caddie.rules.ScriptCode;
import dev.caddie.run.Git;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Callable;

@Command(name = "triage", sortOptions = false,
        description = {"The verdict on a submission from its own evidence: valid-record, valid-nonrecord, baseline-copy, duplicate, "
                + "claims-unbacked, over-limit or rule-breaking, with every reason's file, line and numbers.",
                "--pr and --all read the frontier index (`caddie frontier sync`; outside a workspace give --repo, synced into ~/.cache/caddie/frontier first) "
                        + "and compare each submission with every earlier one that shares a file or its script's code.",
                "Exit 0 for a valid submission (--all: once all are judged), 1 otherwise."})
final class TriageCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--dir", paramLabel = "FOLDER", description = "a submission folder on disk (README.md, submission.json, logs, train_gpt.py)")
        Path dir;
        @ArgGroup(exclusive = false)
        InCommit commit;
        @Option(names = "--pr", paramLabel = "N", description = "the submission(s) of pull request N, from the frontier index")
        Integer pr;
        @Option(names = "--all", description = "every submission in the frontier index (each verdict is kept in the index)")
        boolean all;
    }

    static final class InCommit {
        @Option(names = "--commit", required = true, paramLabel = "SHA", description = "the commit of --repo to read (a PR head: git fetch origin pull/N/head)")
        String commit;
        @Option(names = "--folder", required = true, paramLabel = "PATH", description = "the submission folder in that commit, e.g. records/track_10min_16mb/2026-04-06_X")
        String folder;
    }

    @Mixin WorkspaceOption ws;
    @Option(names = "--repo", paramLabel = "PATH|URL", description = "the challenge repository: with --commit, the clone to read; with --pr/--all, synced first")
    String repo;
    @Option(names = "--since", paramLabel = "DATE", description = "with --all: only submissions dated on or after DATE (YYYY-MM-DD)")
    String since;
    @Option(names = "--baseline", paramLabel = "SCRIPT", description = "the challenge's baseline train_gpt.py (default with --repo: the one at the repository's root in that commit)")
    Path baseline;
    @Option(names = "--against", paramLabel = "FOLDER", arity = "1..*", description = "earlier submission folders, for duplicates and copied logs")
    List<Path> against = new ArrayList<>();
    @Option(names = "--track", description = "10min_16mb or non_record_16mb, where the folder's path does not say (default: its path's, else the record's rules)")
    String track;
    @Option(names = "--no-lint", description = "skip `caddie lint` of the script (it needs python3)")
    boolean noLint;
    @Option(names = "--fresh", description = "with --all: judge every submission again, also those whose files were triaged before")
    boolean fresh;
    @Option(names = "--json", description = "print one JSON object (--all: one per line)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (since != null && !source.all) throw new IllegalArgumentException("--since goes with --all");
        if (since != null && !since.matches("\\d{4}-\\d{2}-\\d{2}.*"))
            throw new IllegalArgumentException("--since '" + since + "' is not a date; give YYYY-MM-DD, e.g. 2026-04-01");
        if (source.pr != null || source.all) return indexed();
        SubmissionFolder s;
        ScriptCode base = baseline == null ? null : ScriptCode.read(baseline);
        if (source.dir != null) s = SubmissionFolder.fromDir(source.dir);
        else {
            if (repo == null) throw new IllegalArgumentException("--commit and --folder read a clone: give --repo PATH");
            Path clone = Path.of(repo);
            s = SubmissionFolder.fromCommit(clone, source.commit.commit, source.commit.folder);
            if (base == null) base = rootBaseline(clone, source.commit.commit);
        }
        if (track != null) {
            if (!List.of("10min_16mb", "non_record_16mb").contains(track))
                throw new IllegalArgumentException("unknown --track '" + track + "'; accepted: 10min_16mb, non_record_16mb");
            s = new SubmissionFolder(s.where(), "track_" + track, s.files());
        }
        List<SubmissionFolder> earlier = new ArrayList<>();
        for (Path p : against) earlier.add(SubmissionFolder.fromDir(p));
        Triage.Result r = Triage.judge(s, base, earlier, !noLint);
        if (json) System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(Triage.json(r)));
        else print(r, null);
        return valid(r) ? 0 : 1;
    }

    private static boolean valid(Triage.Result r) {
        return r.verdict() == Triage.Verdict.VALID_RECORD || r.verdict() == Triage.Verdict.VALID_NONRECORD;
    }

    /** --pr and --all: from the frontier index, each against the earlier submissions it shares files or code with. */
    private int indexed() throws Exception {
        if (baseline != null || !against.isEmpty() || track != null)
            throw new IllegalArgumentException("--baseline, --against and --track go with --dir or --commit; --pr and --all take the baseline from the "
                    + "repository's root and the earlier submissions from the index");
        FrontierHome home = FrontierHome.of(ws.path(), repo);
        try (Ledger index = FrontierCommand.Sync.ready(home, repo != null, null, "GITHUB_TOKEN"); ChallengeRepo mirror = home.repo()) {
            FrontierTriage t = new FrontierTriage(mirror, index.frontier(), !noLint);
            if (source.pr != null) {
                List<Submission> mine = t.distinct().stream().filter(x -> source.pr.equals(t.prOf(x))).toList();
                if (mine.isEmpty())
                    throw new IllegalArgumentException("PR " + source.pr + " is not in the index: " + (t.all().stream().anyMatch(x -> x.pr() != null)
                            ? "it changed no records/track_*/ folder, or it is newer than the last sync (run caddie frontier sync)"
                            : "the synced repository has no refs/pull/*/head (a GitHub clone fetches them with +refs/pull/*/head)"));
                boolean allValid = true;
                for (Submission x : mine) {
                    FrontierTriage.Judged j = t.judge(x);
                    allValid &= valid(j.result());
                    if (json) System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(j.json()));
                    else {
                        print(j.result(), j.parent());
                        if (j.json().has("pr_title")) System.out.println("  on GitHub: \"" + j.json().get("pr_title").asText() + "\" (" + j.json().get("pr_state").asText() + ")");
                    }
                }
                return allValid ? 0 : 1;
            }
            return all(t);
        }
    }

    private int all(FrontierTriage t) throws Exception {
        List<Submission> todo = t.distinct().stream().filter(x -> since == null || x.date() != null && x.date().compareTo(since) >= 0).toList();
        long t0 = System.currentTimeMillis();
        Map<String, Integer> counts = new TreeMap<>();
        ObjectMapper om = new ObjectMapper();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int reused = 0;
        try (LiveLine live = new LiveLine(System.err)) {
            List<Future<ObjectNode>> jobs = new ArrayList<>();
            for (Submission x : todo) {
                ObjectNode kept = fresh ? null : kept(om, x);
                if (kept != null) reused++;
                jobs.add(kept != null ? java.util.concurrent.CompletableFuture.completedFuture(kept) : pool.submit(() -> t.judge(x).json()));
            }
            int done = 0;
            for (int i = 0; i < jobs.size(); i++) {
                Submission x = todo.get(i);
                ObjectNode j;
                try {
                    j = jobs.get(i).get();
                } catch (ExecutionException e) {
                    // one submission that cannot be read is reported; the others are still judged
                    String why = e.getCause() == null ? e.toString() : String.valueOf(e.getCause().getMessage());
                    j = om.createObjectNode().put("submission", x.label()).put("verdict", "error").put("error", why);
                }
                String verdict = j.path("verdict").asText();
                counts.merge(verdict, 1, Integer::sum);
                System.out.println(json ? j.toString() : row(t, x, j));
                done++;
                long el = System.currentTimeMillis() - t0;
                live.accept(String.format(Locale.ROOT, "triage: %,d/%,d  ETA %ds", done, todo.size(), el * (todo.size() - done) / done / 1000));
            }
        } finally {
            pool.shutdownNow();
        }
        System.err.printf(Locale.ROOT, "%,d submissions triaged in %.1f s (%,d verdicts kept from an earlier triage of the same files; --fresh judges them again): %s%n",
                todo.size(), (System.currentTimeMillis() - t0) / 1000.0, reused, counts);
        return 0;
    }

    /** The verdict the index keeps for this submission's files, when it was given with at least this run's checks. */
    private ObjectNode kept(ObjectMapper om, Submission x) {
        if (x.verdictJson() == null) return null;
        try {
            ObjectNode j = (ObjectNode) om.readTree(x.verdictJson());
            return noLint || j.path("linted").asBoolean(false) ? j : null;
        } catch (java.io.IOException | ClassCastException e) {
            return null; // unreadable: judged again
        }
    }

    /** One line per submission, and the evidence of the reason that made its verdict. */
    private static String row(FrontierTriage t, Submission x, ObjectNode j) {
        String verdict = j.path("verdict").asText();
        String why = j.has("error") ? j.get("error").asText() : null;
        for (var r : j.path("reasons")) if (why == null && r.path("kind").asText().equals(verdict)) why = r.path("evidence").asText();
        return String.format(Locale.ROOT, "%-16s %-8s %-12s %s%s", verdict, t.prOf(x) == null ? "main" : "PR " + t.prOf(x),
                x.claimedBpb() == null ? "-" : x.claimedBpb().toString(), x.folder(), why == null ? "" : "\n    " + why);
    }

    /** The challenge repository keeps its baseline script at its root. */
    private static ScriptCode rootBaseline(Path repo, String commit) {
        try {
            return ScriptCode.of(Path.of(commit + ":train_gpt.py"), Git.bytes(repo, "show", commit + ":train_gpt.py"));
        } catch (Exception e) {
            return null; // not the challenge's layout: no baseline to compare with, which the notes do not hide
        }
    }

    private static void print(Triage.Result r, Submission parent) {
        System.out.println(r.where() + ": " + r.verdict().code);
        System.out.printf(Locale.ROOT, "  claimed val_bpb %s; %d log(s) with a final score%s%n", r.claimedBpb() == null ? "none" : r.claimedBpb(), r.seeds(),
                r.loggedBpb().isEmpty() ? "" : " " + r.loggedBpb().stream().map(d -> String.format(Locale.ROOT, "%.8f", d)).toList());
        if (!r.artifactBytes().isEmpty())
            System.out.println("  artifact bytes as counted: " + r.artifactBytes().stream().map(b -> String.format(Locale.ROOT, "%,d", b)).toList());
        for (Triage.Reason x : r.reasons()) System.out.println("  " + x.kind().code + ": " + x.evidence());
        if (parent != null) System.out.println("  builds on: " + parent.label());
        for (String n : r.notes()) System.out.println("  note: " + n);
    }
}
