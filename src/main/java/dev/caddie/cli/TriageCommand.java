package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.frontier.SubmissionFolder;
import dev.caddie.frontier.Triage;
import dev.caddie.rules.ScriptCode;
import dev.caddie.run.Git;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "triage", sortOptions = false,
        description = {"The verdict on one submission from its own evidence: valid-record, valid-nonrecord, baseline-copy, duplicate, "
                + "claims-unbacked, over-limit or rule-breaking, with every reason's file, line and numbers.",
                "Exit 0 for a valid submission, 1 otherwise."})
final class TriageCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--dir", paramLabel = "FOLDER", description = "a submission folder on disk (README.md, submission.json, logs, train_gpt.py)")
        Path dir;
        @ArgGroup(exclusive = false)
        InRepo repo;
    }

    static final class InRepo {
        @Option(names = "--repo", required = true, paramLabel = "PATH", description = "a clone of the challenge repository")
        Path repo;
        @Option(names = "--commit", required = true, paramLabel = "SHA", description = "the commit to read (a PR head: git fetch origin pull/N/head)")
        String commit;
        @Option(names = "--folder", required = true, paramLabel = "PATH", description = "the submission folder in that commit, e.g. records/track_10min_16mb/2026-04-06_X")
        String folder;
    }

    @Option(names = "--baseline", paramLabel = "SCRIPT", description = "the challenge's baseline train_gpt.py (default with --repo: the one at the repository's root in that commit)")
    Path baseline;
    @Option(names = "--against", paramLabel = "FOLDER", arity = "1..*", description = "earlier submission folders, for duplicates and copied logs")
    List<Path> against = new ArrayList<>();
    @Option(names = "--track", description = "10min_16mb or non_record_16mb, where the folder's path does not say (default: its path's, else the record's rules)")
    String track;
    @Option(names = "--no-lint", description = "skip `caddie lint` of the script (it needs python3)")
    boolean noLint;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SubmissionFolder s;
        ScriptCode base = baseline == null ? null : ScriptCode.read(baseline);
        if (source.dir != null) s = SubmissionFolder.fromDir(source.dir);
        else {
            s = SubmissionFolder.fromCommit(source.repo.repo, source.repo.commit, source.repo.folder);
            if (base == null) base = rootBaseline(source.repo.repo, source.repo.commit);
        }
        if (track != null) {
            if (!List.of("10min_16mb", "non_record_16mb").contains(track))
                throw new IllegalArgumentException("unknown --track '" + track + "'; accepted: 10min_16mb, non_record_16mb");
            s = new SubmissionFolder(s.where(), "track_" + track, s.files());
        }
        List<SubmissionFolder> earlier = new ArrayList<>();
        for (Path p : against) earlier.add(SubmissionFolder.fromDir(p));
        Triage.Result r = Triage.judge(s, base, earlier, !noLint);
        if (json) System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(r)));
        else print(r);
        return r.verdict() == Triage.Verdict.VALID_RECORD || r.verdict() == Triage.Verdict.VALID_NONRECORD ? 0 : 1;
    }

    /** The challenge repository keeps its baseline script at its root. */
    private static ScriptCode rootBaseline(Path repo, String commit) {
        try {
            return ScriptCode.of(Path.of(commit + ":train_gpt.py"), Git.bytes(repo, "show", commit + ":train_gpt.py"));
        } catch (Exception e) {
            return null; // not the challenge's layout: no baseline to compare with, which the notes do not hide
        }
    }

    private static void print(Triage.Result r) {
        System.out.println(r.where() + ": " + r.verdict().code);
        System.out.printf(Locale.ROOT, "  claimed val_bpb %s; %d log(s) with a final score%s%n", r.claimedBpb() == null ? "none" : r.claimedBpb(), r.seeds(),
                r.loggedBpb().isEmpty() ? "" : " " + r.loggedBpb().stream().map(d -> String.format(Locale.ROOT, "%.8f", d)).toList());
        if (!r.artifactBytes().isEmpty())
            System.out.println("  artifact bytes as counted: " + r.artifactBytes().stream().map(b -> String.format(Locale.ROOT, "%,d", b)).toList());
        for (Triage.Reason x : r.reasons()) System.out.println("  " + x.kind().code + ": " + x.evidence());
        for (String n : r.notes()) System.out.println("  note: " + n);
    }

    private static ObjectNode json(Triage.Result r) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("submission", r.where()).put("verdict", r.verdict().code);
        var reasons = o.putArray("reasons");
        r.reasons().forEach(x -> reasons.addObject().put("kind", x.kind().code).put("evidence", x.evidence()));
        if (r.claimedBpb() == null) o.putNull("claimed_val_bpb");
        else o.put("claimed_val_bpb", r.claimedBpb());
        var logged = o.putArray("logged_val_bpb");
        r.loggedBpb().forEach(logged::add);
        o.put("seeds", r.seeds());
        var bytes = o.putArray("artifact_bytes");
        r.artifactBytes().forEach(bytes::add);
        o.putNull("parent"); // filled once submissions are indexed (caddie frontier sync)
        var notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        return o;
    }
}
