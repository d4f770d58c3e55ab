package dev.caddie.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.FindingGrade;
import dev.caddie.ledger.GateRecord;
import dev.caddie.ledger.Hypothesis;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Reservation;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Git;
import dev.caddie.run.LiveProgress;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What each dashboard page shows, as JSON read from the ledger: the pages render it and /api/ serves it as it is,
 * so a script reads exactly what a person sees. Read-only: nothing here writes to the ledger.
 */
public final class DashboardData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TaskSpec task;
    private final Ledger ledger;

    public DashboardData(TaskSpec task, Ledger ledger) {
        this.task = task;
        this.ledger = ledger;
    }

    public String taskName() { return task.name(); }

    /** The tag shown when none is asked for: the one the loop last ran. */
    public String defaultTag() { return ledger.meta("tag").orElse(null); }

    /** Best result, distance to the record, artifact headroom, budget per tier, runs in flight, the last verdicts. */
    public ObjectNode overview(String tag) throws IOException {
        ObjectNode o = JSON.createObjectNode().put("task", task.name()).put("tag", tag).put("metric", task.metric().name())
                .put("minimize", task.metric().minimize()).put("artifact_limit", task.limits().artifactBytes());
        List<Experiment> all = ledger.experiments(tag);
        Optional<Experiment> best = ledger.best(all, task.metric().minimize());
        if (best.isPresent()) {
            Experiment e = best.get();
            List<Double> seeds = ledger.scores(e.candidate().id(), e.run().tier());
            double mean = seeds.stream().mapToDouble(Double::doubleValue).average().orElse(e.run().valBpb());
            double sd = seeds.size() < 2 ? Double.NaN : Math.sqrt(seeds.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (seeds.size() - 1));
            ObjectNode b = o.putObject("best").put("candidate", e.candidate().id()).put("description", e.candidate().description()).put("tier", e.run().tier())
                    .put("val_bpb", mean).put("seeds", seeds.size());
            if (!Double.isNaN(sd)) b.put("sigma", sd);
            if (e.run().artifactBytes() != null) b.put("artifact_bytes", e.run().artifactBytes()).put("headroom_bytes", task.limits().artifactBytes() - e.run().artifactBytes());
        }
        Double record = dev.caddie.frontier.CurrentRecord.sota(task, ledger);
        if (record != null) {
            ObjectNode r = o.putObject("record").put("val_bpb", record).put("source", dev.caddie.frontier.CurrentRecord.bpb(ledger).isPresent() ? "frontier" : "[loop] sota");
            if (best.isPresent()) r.put("distance", o.path("best").path("val_bpb").asDouble() - record);
        }
        all.stream().filter(e -> e.run() != null && e.run().artifactBytes() != null).reduce((a, b) -> b)
                .ifPresent(e -> o.putObject("last_run").put("candidate", e.candidate().id()).put("artifact_bytes", e.run().artifactBytes())
                        .put("headroom_bytes", task.limits().artifactBytes() - e.run().artifactBytes()));
        ObjectNode budget = o.putObject("budget").put("dollars", task.budget().dollars()).put("committed", ledger.committedUsd())
                .put("left", task.budget().dollars() - ledger.committedUsd());
        ArrayNode tiers = budget.putArray("tiers");
        List<Reservation> held = ledger.reservations().stream().filter(r -> Reservation.HELD.equals(r.state())).toList();
        for (Ledger.TierSpend t : ledger.spendPerTier())
            tiers.addObject().put("tier", t.tier()).put("runs", t.runs()).put("hours", t.hours()).put("spent", t.dollars())
                    .put("reserved", held.stream().filter(r -> r.tier().equals(t.tier())).mapToDouble(Reservation::amountUsd).sum());
        ArrayNode running = o.putArray("running");
        for (RunRecord r : ledger.runningRuns()) {
            Candidate c = ledger.candidate(r.candidateId()).orElse(null);
            if (c != null && (tag == null || tag.equals(c.tag()))) running.add(live(r, c));
        }
        ArrayNode last = o.putArray("last_verdicts");
        for (int i = all.size() - 1; i >= 0 && last.size() < 10; i--) if (all.get(i).verdict() != null) last.add(row(all.get(i)));
        o.put("experiments", all.size());
        return o;
    }

    /** A run in flight: its step, loss and an ETA from its pace, read from the log as it grows. */
    private ObjectNode live(RunRecord r, Candidate c) throws IOException {
        ObjectNode o = JSON.createObjectNode().put("run", r.id()).put("candidate", c.id()).put("tier", r.tier()).put("seed", r.seed())
                .put("description", c.description()).put("started_at", r.startedAt());
        if (r.logPath() != null && Files.exists(Path.of(r.logPath()))) {
            LiveProgress p = new LiveProgress();
            for (String line : tail(Path.of(r.logPath()), 64 * 1024).split("\n")) p.accept(line);
            if (p.step() >= 0) {
                o.put("step", p.step()).put("total", p.total());
                if (!Double.isNaN(p.trainLoss())) o.put("train_loss", p.trainLoss());
                long elapsed = r.startedAt() == null ? 0 : Duration.between(Instant.parse(r.startedAt()), Instant.now()).toMillis();
                if (p.step() > 0 && p.total() > p.step()) o.put("eta_seconds", Math.round(elapsed / 1000.0 / p.step() * (p.total() - p.step())));
            }
            if (!Double.isNaN(p.valBpb())) o.put("val_bpb", p.valBpb());
        }
        return o;
    }

    /** Every candidate with its latest run and verdict, filtered and sorted as the experiments table asks. */
    public ArrayNode experiments(String tag, String verdict, String proposer, String tier, String sort) {
        return experiments(tag, verdict, proposer, tier, sort, Integer.MAX_VALUE, new int[1]);
    }

    /** As above, at most {@code limit} rows (the page shows the first 1,000; total[0] says how many matched). */
    public ArrayNode experiments(String tag, String verdict, String proposer, String tier, String sort, int limit, int[] total) {
        List<Experiment> all = new ArrayList<>(ledger.experiments(tag));
        all.removeIf(e -> verdict != null && !verdict.isBlank() && (e.verdict() == null || !e.verdict().verdict().equals(verdict)));
        all.removeIf(e -> proposer != null && !proposer.isBlank() && !e.candidate().proposer().equals(proposer));
        all.removeIf(e -> tier != null && !tier.isBlank() && (e.run() == null || !e.run().tier().equals(tier)));
        if ("score".equals(sort))
            all.sort(Comparator.comparing((Experiment e) -> e.run() == null || e.run().valBpb() == null ? Double.POSITIVE_INFINITY
                    : (task.metric().minimize() ? e.run().valBpb() : -e.run().valBpb())));
        else all.sort(Comparator.comparingLong((Experiment e) -> -e.candidate().id()));
        ArrayNode out = JSON.createArrayNode();
        total[0] = all.size();
        for (Experiment e : all.subList(0, Math.min(limit, all.size()))) out.add(row(e));
        return out;
    }

    private static ObjectNode row(Experiment e) {
        ObjectNode o = JSON.createObjectNode().put("id", e.candidate().id()).put("tag", e.candidate().tag()).put("proposer", e.candidate().proposer())
                .put("description", e.candidate().description()).put("created_at", e.candidate().createdAt());
        if (e.verdict() != null) o.put("verdict", e.verdict().verdict()).put("reason", e.verdict().reason());
        if (e.run() != null) {
            o.put("tier", e.run().tier()).put("status", e.run().status());
            if (e.run().valBpb() != null) o.put("val_bpb", e.run().valBpb());
            if (e.run().artifactBytes() != null) o.put("artifact_bytes", e.run().artifactBytes());
            if (e.run().costUsd() != null) o.put("cost_usd", e.run().costUsd());
        }
        return o;
    }

    /** One candidate whole: its diff, settings, gates, runs with their curves, and the hypothesis against the outcome. */
    public Optional<ObjectNode> candidate(long id) throws IOException {
        Optional<Candidate> c = ledger.candidate(id);
        if (c.isEmpty()) return Optional.empty();
        Candidate cand = c.get();
        ObjectNode o = JSON.createObjectNode().put("id", id).put("tag", cand.tag()).put("proposer", cand.proposer()).put("description", cand.description())
                .put("commit", cand.commit()).put("parent", cand.parent()).put("created_at", cand.createdAt());
        ObjectNode env = o.putObject("env");
        cand.env().forEach(env::put);
        String diff;
        String worker = ledger.candidateWorker(id);
        if (worker != null) o.put("worker", worker);
        try {
            // a swarm's candidate may come from another machine: its commit is fetched from the remote first
            if (cand.parent() != null) dev.caddie.loop.SwarmWorker.ensureCommit(new Git(task.workspace()), task.swarm().remote(), id, cand.commit());
            diff = cand.parent() == null ? "" : Git.run(task.workspace(), "diff", "--no-color", cand.parent(), cand.commit());
        } catch (IOException e) {
            diff = "(the commit is not in this repository: " + e.getMessage().lines().findFirst().orElse("") + ")";
        }
        o.put("diff", diff.length() > 200_000 ? diff.substring(0, 200_000) + "\n... (cut at 200,000 characters)" : diff);
        ArrayNode gates = o.putArray("gates");
        for (GateRecord g : ledger.gateResults(id)) gates.addObject().put("gate", g.gate()).put("passed", g.passed()).put("reason", g.reason());
        ArrayNode runs = o.putArray("runs");
        for (RunRecord r : ledger.runs(id)) {
            ObjectNode x = runs.addObject().put("id", r.id()).put("tier", r.tier()).put("seed", r.seed()).put("status", r.status())
                    .put("started_at", r.startedAt()).put("ended_at", r.endedAt()).put("error", r.error());
            if (r.valBpb() != null) x.put("val_bpb", r.valBpb());
            if (r.artifactBytes() != null) x.put("artifact_bytes", r.artifactBytes());
            if (r.costUsd() != null) x.put("cost_usd", r.costUsd());
            x.set("curve", curve(r));
        }
        List<dev.caddie.ledger.Verdict> vs = ledger.verdicts(id);
        if (!vs.isEmpty()) {
            Verdict v = vs.get(vs.size() - 1);
            o.putObject("verdict").put("verdict", v.verdict()).put("reason", v.reason());
        }
        for (Hypothesis.Outcome h : ledger.hypotheses(cand.tag()))
            if (h.experiment().candidate().id() == id) {
                ObjectNode hy = o.putObject("hypothesis").put("hypothesis", h.hypothesis().hypothesis()).put("basis", h.hypothesis().basis()).put("risk", h.hypothesis().risk());
                if (h.hypothesis().predictedDelta() != null) hy.put("predicted_delta", h.hypothesis().predictedDelta());
                Double actual = actual(h);
                if (actual != null) hy.put("actual_delta", actual);
            }
        return Optional.of(o);
    }

    /** Train and validation losses by step, from the run's log. */
    private static ObjectNode curve(RunRecord r) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        ArrayNode ts = c.putArray("train_step"), tl = c.putArray("train_loss"), vs = c.putArray("val_step"), vb = c.putArray("val_bpb");
        if (r.logPath() == null || !Files.exists(Path.of(r.logPath()))) return c;
        LiveProgress p = new LiveProgress();
        try (var lines = Files.lines(Path.of(r.logPath()), StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                int step = p.step(), val = p.valStep();
                if (!p.accept(line)) continue;
                if (p.step() != step && !Double.isNaN(p.trainLoss())) { ts.add(p.step()); tl.add(p.trainLoss()); }
                if (p.valStep() != val && !Double.isNaN(p.valBpb())) { vs.add(p.valStep()); vb.add(p.valBpb()); }
            }
        } catch (java.io.UncheckedIOException e) {
            // a log that is not UTF-8 throughout: the curve up to there
        }
        return c;
    }

    /** The last bytes of a run's log, from byte {@code from} when given (the live tail asks for what is new). */
    public ObjectNode log(long runId, long from) throws IOException {
        RunRecord r = ledger.run(runId).orElseThrow(() -> new IllegalArgumentException("no run " + runId));
        ObjectNode o = JSON.createObjectNode().put("run", runId).put("status", r.status());
        if (r.logPath() == null || !Files.exists(Path.of(r.logPath()))) return o.put("text", "").put("next", 0);
        try (RandomAccessFile f = new RandomAccessFile(r.logPath(), "r")) {
            long size = f.length(), start = from > 0 && from <= size ? from : Math.max(0, size - 64 * 1024);
            byte[] b = new byte[(int) (size - start)];
            f.seek(start);
            f.readFully(b);
            return o.put("text", new String(b, StandardCharsets.UTF_8)).put("next", size);
        }
    }

    private static String tail(Path p, int bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            long start = Math.max(0, f.length() - bytes);
            byte[] b = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /**
     * The charts: best-so-far against wall time and dollars (the curve a search is judged by), artifact bytes
     * against the score with the limit, spend over time, and predicted against actual delta.
     */
    public ObjectNode charts(String tag) {
        ObjectNode o = JSON.createObjectNode().put("metric", task.metric().name()).put("artifact_limit", task.limits().artifactBytes());
        List<RunRecord> runs = new ArrayList<>();
        for (Experiment e : ledger.experiments(tag)) runs.addAll(ledger.runs(e.candidate().id()));
        runs.removeIf(r -> r.endedAt() == null);
        runs.sort(Comparator.comparing(RunRecord::endedAt));
        ArrayNode bt = o.putArray("best_hours"), bd = o.putArray("best_dollars"), bv = o.putArray("best_value");
        ArrayNode sh = o.putArray("spend_hours"), sd = o.putArray("spend_dollars");
        ArrayNode ax = o.putArray("artifact_bytes"), ay = o.putArray("artifact_val_bpb"), ac = o.putArray("artifact_candidate");
        double hours = 0, dollars = 0;
        Double best = null;
        for (RunRecord r : runs) {
            hours += (r.durationMs() == null ? 0 : r.durationMs()) / 3_600_000.0;
            dollars += r.costUsd() == null ? 0 : r.costUsd();
            sh.add(hours);
            sd.add(dollars);
            // the micro tier scores synthetic data: its numbers are no point on a curve of real scores
            if (r.valBpb() != null && "ok".equals(r.status()) && !dev.caddie.search.MicroRunner.TIER.equals(r.tier())) {
                if (best == null || task.metric().better(r.valBpb(), best)) best = r.valBpb();
                bt.add(hours);
                bd.add(dollars);
                bv.add(best);
                if (r.artifactBytes() != null) { ax.add(r.artifactBytes()); ay.add(r.valBpb()); ac.add(r.candidateId()); }
            }
        }
        // the last 20 scored runs' training curves, overlaid (the micro tier's synthetic runs left out)
        ArrayNode curves = o.putArray("curves");
        List<RunRecord> scored = runs.stream().filter(r -> r.valBpb() != null && !dev.caddie.search.MicroRunner.TIER.equals(r.tier())).toList();
        for (RunRecord r : scored.subList(Math.max(0, scored.size() - 20), scored.size())) {
            try {
                ObjectNode c = curve(r);
                if (c.path("train_step").size() > 1) curves.addObject().put("run", r.id()).put("candidate", r.candidateId()).set("curve", c);
            } catch (IOException e) {
                // a log gone from disk: that run has no curve to draw
            }
        }
        ArrayNode pp = o.putArray("predicted_delta"), pa = o.putArray("actual_delta");
        for (Hypothesis.Outcome h : ledger.hypotheses(tag)) {
            Double actual = actual(h);
            if (h.hypothesis().predictedDelta() != null && actual != null) { pp.add(h.hypothesis().predictedDelta()); pa.add(actual); }
        }
        return o;
    }

    /** The measured delta: the run's score against the best before it (as the learned rules measure it). */
    private static Double actual(Hypothesis.Outcome h) {
        Verdict v = h.experiment().verdict();
        RunRecord r = h.experiment().run();
        return v == null || v.bestBefore() == null || r == null || r.valBpb() == null ? null : r.valBpb() - v.bestBefore();
    }

    /** Graded findings with their tier and plan, strategy.md, the battle plan and the record's history. */
    public ObjectNode research() throws IOException {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode fs = o.putArray("findings");
        Map<Long, FindingGrade> grades = ledger.findings().latestGrades();
        var verified = ledger.findings().latestVerifications();
        for (var f : ledger.findings().all()) {
            FindingGrade g = grades.get(f.id());
            ObjectNode x = fs.addObject().put("id", f.id()).put("source", f.source()).put("title", f.title()).put("url", f.url()).put("published", f.published());
            if (g != null) x.put("status", g.status()).put("tier", g.tier()).put("plan", g.plan()).put("reason", g.reason());
            if (verified.containsKey(f.id())) x.put("verified", verified.get(f.id()).outcome());
        }
        Path strategy = task.workspace().resolve(dev.caddie.research.Reflection.FILE);
        o.put("strategy", Files.isRegularFile(strategy) ? Files.readString(strategy) : null);
        ArrayNode plan = o.putArray("battle_plan");
        dev.caddie.agent.DecisionState.battlePlan(task).forEach(plan::add);
        Path map = task.workspace().resolve(dev.caddie.frontier.TechniqueMap.FILE);
        if (Files.isRegularFile(map)) {
            JsonNode m = JSON.readTree(map.toFile());
            o.set("edges", m.path("edges"));
        }
        o.put("record", dev.caddie.frontier.CurrentRecord.describe(ledger).orElse(null));
        // the record's history, where `caddie frontier sync` has indexed the challenge's repository
        ArrayNode history = o.putArray("record_history");
        Path mirror = task.workspace().resolve(".caddie/frontier/challenge.git");
        if (Files.isDirectory(mirror)) {
            try {
                var triage = new dev.caddie.frontier.FrontierTriage(dev.caddie.frontier.ChallengeRepo.at(mirror), ledger.frontier(), false);
                for (var step : dev.caddie.frontier.RecordHistory.steps(triage, "track_10min_16mb"))
                    history.addObject().put("date", step.date()).put("val_bpb", step.valBpb()).put("folder", step.folder()).put("pr", step.pr());
            } catch (IOException | RuntimeException e) {
                o.put("record_history_error", e.getMessage());
            }
        }
        return o;
    }

    /** A version that changes whenever anything the pages show changes: the poll compares it. */
    public String version() {
        return ledger.changeVersion();
    }

    static String fmt(double v) { return String.format(Locale.ROOT, "%.4f", v); }
}
