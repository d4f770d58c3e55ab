package dev.caddie.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.rules.ScriptCode;
import dev.caddie.rules.ScriptCompare;
import dev.caddie.rules.Significance;
import dev.caddie.run.Git;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Makes a records folder the way accepted records are made, from what the ledger recorded: the
 * script at the candidate's commit, the train logs Caddie captured (copied, never retyped), a
 * submission.json with the fields real records carry and their compliance block, and a README.
 * Before writing anything it checks every rule it can from the logs and refuses with the full list.
 */
public final class SubmissionBuilder {
    public static final String RECORD_TRACK = "10min_16mb";
    public static final String NON_RECORD_TRACK = "non_record_16mb";

    /** Who submits, where, and against what frontier (any of the frontier fields may be null). */
    public record Request(String tag, Long candidateId, String tier, String name, String author, String githubId, String track, Path out,
                          int minSeeds, double evalLimitSeconds, Double frontierLoss, Double frontierBpb, double[] frontierSeedsLoss) {}

    /** One seed's figures as its log states them. */
    public record SeedRun(long seed, RunRecord run, LogSummary log) {}

    /** What the checks found; {@code failures} empty means the folder may be written. */
    public record Checked(Candidate candidate, List<SeedRun> seeds, ScriptCode script, List<String> failures, List<String> passed, Significance.Result significance) {}

    private final TaskSpec task;
    private final Ledger ledger;

    public SubmissionBuilder(TaskSpec task, Ledger ledger) {
        this.task = task;
        this.ledger = ledger;
    }

    public Checked check(Request r) throws IOException, InterruptedException {
        if (!r.track().equals(RECORD_TRACK) && !r.track().equals(NON_RECORD_TRACK))
            throw new IllegalArgumentException("track '" + r.track() + "' is not one; accepted: " + RECORD_TRACK + ", " + NON_RECORD_TRACK);
        Candidate c = candidate(r);
        List<String> failures = new ArrayList<>(), passed = new ArrayList<>();
        List<SeedRun> seeds = new ArrayList<>();
        LogParser parser = new LogParser();
        for (RunRecord run : ledger.runs(c.id())) {
            if (!run.tier().equals(r.tier()) || !"ok".equals(run.status())) continue;
            Path log = run.logPath() == null ? null : Path.of(run.logPath());
            if (log == null || !Files.isRegularFile(log)) {
                failures.add("run " + run.id() + " (seed " + run.seed() + "): its log " + run.logPath() + " is gone");
                continue;
            }
            seeds.add(new SeedRun(run.seed(), run, parser.parse(log)));
        }
        long limit = task.limits().artifactBytes();
        if (seeds.size() < r.minSeeds()) failures.add(String.format(Locale.ROOT, "%d seed%s on tier %s; at least %d are needed", seeds.size(), seeds.size() == 1 ? "" : "s", r.tier(), r.minSeeds()));
        else passed.add(seeds.size() + " seeds");
        for (SeedRun s : seeds) {
            String who = "seed " + s.seed() + " (" + s.log().file() + ")";
            Long bytes = s.log().artifactBytes();
            if (bytes == null) failures.add(who + ": the log has no artifact size line");
            else if (bytes > limit) failures.add(String.format(Locale.ROOT, "%s: artifact %,d bytes is over the %,d limit", who, bytes, limit));
            Long train = s.log().stopTrainTimeMs() != null ? s.log().stopTrainTimeMs() : s.log().trainTimeMs();
            if (train == null) failures.add(who + ": the log states no training time");
            else if (train > task.limits().trainSeconds() * 1000L) failures.add(String.format(Locale.ROOT, "%s: trained %.1f s, over %d s", who, train / 1000.0, task.limits().trainSeconds()));
            Long eval = s.log().evalTimeMs();
            if (eval == null) failures.add(who + ": the log states no eval time (eval_time:Nms on the final lines)");
            else if (eval > r.evalLimitSeconds() * 1000) failures.add(String.format(Locale.ROOT, "%s: evaluation took %.1f s, over %.0f s", who, eval / 1000.0, r.evalLimitSeconds()));
            if (s.log().score() == null) failures.add(who + ": the log has no final score");
        }
        ScriptCode script = ScriptCode.of(Path.of(task.script()), Git.run(task.workspace(), "show", c.commit() + ":" + task.script()).getBytes(StandardCharsets.UTF_8));
        if (script.lines() > task.limits().scriptLines())
            failures.add(String.format(Locale.ROOT, "%s has %d lines, over the %d-line limit", task.script(), script.lines(), task.limits().scriptLines()));
        else passed.add(script.lines() + " script lines");
        if (script.stubTarget() != null) failures.add(task.script() + " runs code from " + script.stubTarget() + " that the artifact does not contain");
        Significance.Result sig = null;
        if (r.track().equals(RECORD_TRACK) && seeds.size() >= 2 && seeds.stream().allMatch(s -> s.log().score() != null)) {
            sig = significance(r, seeds);
            if (sig == null) failures.add("the record track needs the frontier to test against: pass --baseline-loss, --baseline-bpb or --baseline-json (or set loop.sota, or run caddie frontier sync)");
            else if (!sig.significant()) failures.add("significance against the frontier: " + sig.verdict());
            else passed.add("significance: " + sig.verdict());
        }
        return new Checked(c, seeds, script, failures, passed, sig);
    }

    private Candidate candidate(Request r) {
        if (r.candidateId() != null) {
            Candidate c = ledger.candidate(r.candidateId()).orElseThrow(() -> new IllegalArgumentException("no candidate " + r.candidateId() + " in the ledger"));
            if (!c.tag().equals(r.tag())) throw new IllegalArgumentException("candidate " + c.id() + " belongs to tag " + c.tag() + ", not " + r.tag());
            return c;
        }
        Candidate best = null;
        double bestScore = Double.NaN;
        boolean minimize = task.metric().minimize();
        for (var e : ledger.experiments(r.tag())) {
            var mean = ledger.meanScore(e.candidate().id(), r.tier());
            if (mean.isEmpty()) continue;
            double s = mean.getAsDouble();
            if (best == null || (minimize ? s < bestScore : s > bestScore)) {
                best = e.candidate();
                bestScore = s;
            }
        }
        if (best == null) throw new IllegalArgumentException("tag " + r.tag() + " has no candidate with a finished run on tier " + r.tier() + "; promote one first (caddie promote)");
        return best;
    }

    private Significance.Result significance(Request r, List<SeedRun> seeds) {
        double[] loss = seeds.stream().mapToDouble(s -> s.log().score().valLoss()).toArray();
        double[] bpb = seeds.stream().mapToDouble(s -> s.log().score().valBpb()).toArray();
        if (r.frontierSeedsLoss() != null)
            return Significance.test("val_loss", loss, r.frontierSeedsLoss().length >= 2 ? r.frontierSeedsLoss() : null,
                    r.frontierSeedsLoss().length == 1 ? r.frontierSeedsLoss()[0] : Double.NaN, Significance.MARGIN_NATS, Significance.ALPHA, Significance.Variant.CHALLENGE);
        if (r.frontierLoss() != null)
            return Significance.test("val_loss", loss, null, r.frontierLoss(), Significance.MARGIN_NATS, Significance.ALPHA, Significance.Variant.CHALLENGE);
        Double frontierBpb = r.frontierBpb() != null ? r.frontierBpb() : dev.caddie.frontier.CurrentRecord.sota(task, ledger);
        if (frontierBpb == null) return null;
        double ratio = 0;
        for (int i = 0; i < loss.length; i++) ratio += bpb[i] / loss[i] / loss.length;
        return Significance.test("val_bpb", bpb, null, frontierBpb, Significance.MARGIN_NATS * ratio, Significance.ALPHA, Significance.Variant.CHALLENGE);
    }

    /** Writes the folder; refuses (writing nothing) when the checks failed or the folder holds anything. */
    public Path write(Request r, Checked ch) throws IOException, InterruptedException {
        if (!ch.failures().isEmpty()) throw new IllegalStateException("refusing to write a submission:\n  - " + String.join("\n  - ", ch.failures()));
        Path out = r.out();
        if (Files.exists(out) && (!Files.isDirectory(out) || Files.list(out).findAny().isPresent()))
            throw new IllegalArgumentException(out + " exists and is not empty; give a new folder");
        Path tmp = Files.createTempDirectory(out.toAbsolutePath().getParent() == null ? Path.of(".") : out.toAbsolutePath().getParent(), ".submission-");
        Path scriptName = Path.of(task.script()).getFileName();
        Files.write(tmp.resolve(scriptName), ch.script().bytes());
        List<String> logNames = new ArrayList<>();
        for (SeedRun s : ch.seeds()) {
            String name = "train_seed" + s.seed() + ".log";
            Files.copy(Path.of(s.run().logPath()), tmp.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
            logNames.add(name);
        }
        ObjectMapper m = new ObjectMapper();
        Files.writeString(tmp.resolve("submission.json"), m.writerWithDefaultPrettyPrinter().writeValueAsString(json(m, r, ch)) + "\n");
        Files.writeString(tmp.resolve("README.md"), readme(r, ch, logNames));
        // Renamed into place only once complete, so a half-written folder never looks like a submission.
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        return out;
    }

    private ObjectNode json(ObjectMapper m, Request r, Checked ch) {
        ObjectNode o = m.createObjectNode();
        var loss = ch.seeds().stream().mapToDouble(s -> s.log().score().valLoss()).summaryStatistics();
        double[] losses = ch.seeds().stream().mapToDouble(s -> s.log().score().valLoss()).toArray();
        double[] bpbs = ch.seeds().stream().mapToDouble(s -> s.log().score().valBpb()).toArray();
        long bytesMax = ch.seeds().stream().mapToLong(s -> s.log().artifactBytes()).max().orElse(0);
        o.put("author", r.author()).put("github_id", r.githubId()).put("name", r.name());
        o.put("blurb", ch.candidate().description());
        o.put("date", OffsetDateTime.now(ZoneOffset.UTC).withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        o.put("track", r.track());
        o.put("val_loss", round8(loss.getAverage())).put("val_bpb", round8(mean(bpbs)));
        o.put("val_loss_std", round8(sd(losses))).put("val_bpb_std", round8(sd(bpbs)));
        o.put("bytes_total", bytesMax).put("bytes_code", ch.script().bytes().length);
        ArrayNode seedList = o.putArray("seeds");
        ObjectNode results = o.putObject("seed_results");
        for (SeedRun s : ch.seeds()) {
            seedList.add(s.seed());
            ObjectNode x = results.putObject(String.valueOf(s.seed()));
            x.put("val_loss", s.log().score().valLoss()).put("val_bpb", s.log().score().valBpb()).put("artifact_bytes", s.log().artifactBytes());
            if (steps(s) != null) x.put("steps", steps(s));
            Long train = s.log().stopTrainTimeMs() != null ? s.log().stopTrainTimeMs() : s.log().trainTimeMs();
            x.put("train_time_ms", train).put("eval_time_ms", s.log().evalTimeMs());
        }
        ObjectNode comp = o.putObject("compliance");
        comp.put("train_under_600s", true).put("artifact_under_16mb", true).put("eval_under_600s", true)
                .put("three_seeds", ch.seeds().size() >= 3).put("script_under_1500_lines", true);
        if (ch.significance() != null) {
            Significance.Result s = ch.significance();
            o.putObject("significance").put("test", s.test()).put("metric", s.metric()).put("baseline", s.baseMean()).put("difference", s.diff())
                    .put("margin", s.margin()).put("t_statistic", s.t()).put("df", s.df()).put("p_value", s.p());
        }
        o.putObject("caddie").put("tag", r.tag()).put("candidate", ch.candidate().id()).put("commit", ch.candidate().commit()).put("tier", r.tier());
        return o;
    }

    private String readme(Request r, Checked ch, List<String> logNames) throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder();
        double[] bpbs = ch.seeds().stream().mapToDouble(s -> s.log().score().valBpb()).toArray();
        double[] losses = ch.seeds().stream().mapToDouble(s -> s.log().score().valLoss()).toArray();
        b.append("# ").append(r.name()).append("\n\n");
        b.append(String.format(Locale.ROOT, "**val_bpb %.8f** (mean of %d seeds, sd %.6f), val_loss %.8f nats, by %s (@%s). Track: `%s`.%n%n",
                mean(bpbs), bpbs.length, sd(bpbs), mean(losses), r.author(), r.githubId(), r.track()));
        b.append("## What changed\n\n").append(ch.candidate().description() == null ? "" : ch.candidate().description()).append("\n\n");
        if (!ch.candidate().env().isEmpty())
            b.append("Settings: ").append(ch.candidate().env().entrySet().stream().map(e -> "`" + e.getKey() + "=" + e.getValue() + "`").collect(Collectors.joining(", "))).append("\n\n");
        String changes = changesFromBaseline(r, ch);
        if (!changes.isEmpty()) b.append(changes).append("\n");
        b.append("## Results\n\n| seed | val_loss | val_bpb | artifact bytes | steps | train s | eval s | log |\n|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (int i = 0; i < ch.seeds().size(); i++) {
            SeedRun s = ch.seeds().get(i);
            Long train = s.log().stopTrainTimeMs() != null ? s.log().stopTrainTimeMs() : s.log().trainTimeMs();
            b.append(String.format(Locale.ROOT, "| %d | %.8f | %.8f | %,d | %s | %.1f | %.1f | [%s](%s) |%n", s.seed(), s.log().score().valLoss(), s.log().score().valBpb(),
                    s.log().artifactBytes(), steps(s) == null ? "-" : steps(s).toString(), train / 1000.0, s.log().evalTimeMs() / 1000.0,
                    logNames.get(i), logNames.get(i)));
        }
        b.append(String.format(Locale.ROOT, "| **mean** | **%.8f** | **%.8f** | | | | | |%n%n", mean(losses), mean(bpbs)));
        if (ch.significance() != null) {
            Significance.Result s = ch.significance();
            b.append(String.format(Locale.ROOT, "Significance (%s on %s): baseline %.8f, difference %+.8f, margin %.6f, t = %.3f, df = %.2f, p = %.3g.%n%n",
                    s.test(), s.metric(), s.baseMean(), s.diff(), s.margin(), s.t(), s.df(), s.p()));
        }
        b.append("Checks before packaging: ").append(String.join("; ", ch.passed())).append(String.format(Locale.ROOT,
                "; every seed's artifact within %,d bytes, training within %d s, evaluation within %.0f s.%n%n", task.limits().artifactBytes(),
                task.limits().trainSeconds(), r.evalLimitSeconds()));
        b.append("## How to reproduce\n\n```bash\n");
        String env = ch.candidate().env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        String tierEnv = task.tier(r.tier()).env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        for (SeedRun s : ch.seeds())
            b.append(String.join(" ", List.of(tierEnv, env, "SEED=" + s.seed())).strip().replaceAll(" +", " ")).append(" ")
                    .append(String.join(" ", task.command(task.tier(r.tier())))).append("\n");
        b.append("```\n\nThe logs are the ones Caddie captured while the runs ran (commit `").append(ch.candidate().commit()).append("`).\n");
        return b.toString();
    }

    /** Function-level summary against the tag's first candidate (its baseline) for Python scripts, a diffstat otherwise. */
    private String changesFromBaseline(Request r, Checked ch) {
        try {
            var first = ledger.experiments(r.tag()).stream().map(e -> e.candidate()).filter(c -> c.id() != ch.candidate().id()).findFirst();
            if (first.isEmpty() || first.get().commit().equals(ch.candidate().commit())) return "";
            if (!task.script().endsWith(".py"))
                return "Against the baseline (candidate " + first.get().id() + "):\n\n```\n"
                        + Git.run(task.workspace(), "diff", "--stat", first.get().commit(), ch.candidate().commit()).stripTrailing() + "\n```\n";
            String base = Git.run(task.workspace(), "show", first.get().commit() + ":" + task.script());
            ScriptCompare.Result cmp = ScriptCompare.compare(ch.script(), ScriptCode.of(Path.of("baseline"), base.getBytes(StandardCharsets.UTF_8)));
            if (cmp.sameCode()) return "The script's code is the baseline's (only comments or formatting differ); the change is in its settings.\n";
            StringBuilder b = new StringBuilder("Against the baseline (candidate " + first.get().id() + "):\n\n");
            cmp.defs().forEach(d -> b.append("- `").append(d.name()).append("` ").append(d.change())
                    .append(d.change().equals("changed") ? String.format(Locale.ROOT, " (+%d/-%d lines)", d.added(), d.removed()) : "").append("\n"));
            cmp.moduleAdded().forEach(l -> b.append("- module level: `").append(l.lines().findFirst().orElse("")).append("`\n"));
            return b.toString();
        } catch (IOException | InterruptedException | RuntimeException e) {
            return ""; // a summary is a courtesy: a script python3 cannot parse still gets submitted
        }
    }

    /** Steps trained: where the wall-clock cap stopped it, else the last logged step. */
    private static Integer steps(SeedRun s) {
        if (s.log().stopStep() != null) return s.log().stopStep();
        var curve = s.log().trainCurve();
        return curve.isEmpty() ? null : curve.get(curve.size() - 1).step();
    }

    private static double mean(double[] xs) { return java.util.Arrays.stream(xs).average().orElse(Double.NaN); }

    private static double sd(double[] xs) {
        if (xs.length < 2) return 0;
        double m = mean(xs), v = 0;
        for (double x : xs) v += (x - m) * (x - m);
        return Math.sqrt(v / (xs.length - 1));
    }

    private static double round8(double d) { return Math.round(d * 1e8) / 1e8; }
}
