package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.ExperimentLoop;
import dev.caddie.loop.Workspace;
import dev.caddie.run.Git;
import dev.caddie.run.Executors;
import dev.caddie.run.Runner;
import dev.caddie.search.DiffEdit;
import dev.caddie.search.MicroReport;
import dev.caddie.search.MicroRunner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import dev.caddie.gate.CandidateChange;
import dev.caddie.gate.GateResult;
import dev.caddie.gate.StaticGates;
import java.util.concurrent.Callable;

@Command(name = "micro", description = "Apply a diff (or take a commit) and run the micro tier: crash? NaN? does the loss fall? does the artifact fit? Exit 0 when it passes, 1 when not.")
final class MicroCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;

    static final class Source {
        @Option(names = "--diff", description = "unified diff to apply to the experiment branch's head") Path diff;
        @Option(names = "--commit", description = "commit to run as it is") String commit;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Source source;
    @Option(names = "--json", description = "one JSON object") boolean json;
    @Option(names = "--seed", defaultValue = "1337") long seed;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        Workspace w = new Workspace(task.workspace());
        Git.requireRepo(task.workspace());
        Git git = new Git(task.workspace());
        DiffEdit edit = null;
        String base;
        if (source.diff != null) {
            if (!Files.isRegularFile(source.diff)) throw new IllegalArgumentException(source.diff + ": no such diff file");
            String diffText;
            try {
                diffText = Files.readString(source.diff);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IllegalArgumentException(source.diff + ": not UTF-8 text; expected a unified diff (---/+++ headers and @@ hunks)");
            }
            edit = DiffEdit.parse(diffText, source.diff.toString());
            base = baseCommit(w, git);
        } else base = git.revParse(source.commit);
        Files.createDirectories(w.worktrees());
        Path wt = Files.createTempDirectory(w.worktrees(), "micro-");
        Files.delete(wt);
        git.worktreeAdd(wt, base);
        try {
            if (edit != null) {
                edit.apply(wt);
                // The same static gates as `caddie run`: a diff that touches caddie.toml or a protected file never runs.
                List<String> changed = Git.run(wt, "status", "--porcelain", "-uall").lines().filter(l -> l.length() > 3).map(l -> l.substring(3)).toList();
                for (GateResult g : StaticGates.standard().check(new CandidateChange(task, wt, changed))) {
                    if (g.passed()) continue;
                    System.err.println("caddie: rejected before running, by the " + g.gate() + " gate: " + g.reason());
                    return 1;
                }
            }
            Path log = w.caddieDir().resolve("micro").resolve(wt.getFileName() + ".txt");
            MicroReport r = new MicroRunner(task, new Runner(Executors.of(task))).run(wt, Map.of(), seed, "micro", log, new Runner.Listener() {});
            if (json) System.out.println(new ObjectMapper().writeValueAsString(toJson(r)));
            else print(r);
            return r.passed() ? 0 : 1;
        } finally {
            git.worktreeRemove(wt);
        }
    }

    /** The head of the experiment branch the loop last used, else HEAD. */
    static String baseCommit(Workspace w, Git git) throws Exception {
        var url = dev.caddie.task.TaskSpecReader.ledgerOf(w.root());
        if (url.file() == null || Files.exists(url.file())) {
            try (Ledger l = Ledger.open(url)) {
                String tag = l.meta("tag").orElse(null);
                if (tag != null && git.refExists(ExperimentLoop.branch(tag))) return git.revParse(ExperimentLoop.branch(tag));
            }
        }
        return git.revParse("HEAD");
    }

    static ObjectNode toJson(MicroReport r) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("passed", r.passed());
        o.put("reason", r.reason());
        o.put("status", r.status());
        o.put("crashed", r.crashed());
        o.put("nan", r.nan());
        o.put("loss_fell", r.lossFell());
        o.put("first_quarter_loss", r.firstQuarterLoss());
        o.put("last_quarter_loss", r.lastQuarterLoss());
        o.put("step_ms", r.stepMs());
        o.put("artifact_bytes", r.artifactBytes());
        o.put("artifact_limit", r.artifactLimit());
        o.put("within_limit", r.withinLimit());
        r.errors().forEach(o.putArray("errors")::add);
        o.put("log", r.logPath());
        return o;
    }

    private static void print(MicroReport r) {
        System.out.println((r.passed() ? "PASS" : "FAIL") + (r.passed() ? "" : ": " + r.reason()));
        System.out.printf(Locale.ROOT, "  status %s  crashed %s  nan %s  loss fell %s%s%n", r.status(), r.crashed(), r.nan(), r.lossFell(),
                r.firstQuarterLoss() == null ? "" : String.format(Locale.ROOT, " (%.4f -> %.4f)", r.firstQuarterLoss(), r.lastQuarterLoss()));
        System.out.printf(Locale.ROOT, "  step %s ms  artifact %s bytes (limit %,d)%n", r.stepMs() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.stepMs()),
                r.artifactBytes() == null ? "-" : String.format("%,d", r.artifactBytes()), r.artifactLimit());
        r.errors().forEach(e -> System.out.println("  | " + e));
        System.out.println("  log " + r.logPath());
    }
}
