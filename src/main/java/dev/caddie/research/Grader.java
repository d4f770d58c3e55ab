package dev.caddie.research;

import dev.caddie.Text;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FindingGrade;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * `caddie research grade`: every finding not yet judged goes through the pre-filter first (a stated model that cannot
 * fit the artifact is rejected, no model called), then to the LLM with a prompt built from the ledger: the task's
 * limits, the best result here and the public record, the battle plan, what failed here. The answer must be one JSON
 * object of {@link #SCHEMA}; an answer off it is sent back once with what was wrong, then recorded as ungraded
 * with the reason. Tokens and dollars are recorded per finding and the run stops at [llm] dollars.
 */
public final class Grader {
    public static final String SCHEMA = """
            {"relevance": 0-10, "feasibility": 0-10, "expected_gain_bpb": number >= 0 (val_bpb it could remove here), \
            "implementation_cost": 0-10 (10 = weeks), "novelty": 0-10 (0 = already proven or failed here), \
            "tier": "A" | "B" | "C", "plan": "one paragraph: what to change in the training script and how to test it cheaply"}""";
    private static final List<String> SCORES = List.of("relevance", "feasibility", "implementation_cost", "novelty");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BREAKER = 3;
    // ledger writes from the calls in flight go one at a time (the ledger's own lock), in whatever order they finish

    /** One finding's verdict as it was recorded. */
    public record Outcome(Finding finding, FindingGrade grade) {}

    private final TaskSpec task;
    private final Ledger ledger;
    private final LlmClient llm;
    private final Prefilter prefilter;

    /** @param llm null when no [llm] is configured: the pre-filter still runs, the rest wait for a model */
    public Grader(TaskSpec task, Ledger ledger, LlmClient llm) {
        this.task = task;
        this.ledger = ledger;
        this.llm = llm;
        this.prefilter = new Prefilter(task.limits().artifactBytes());
    }

    /** What a run did: its outcomes, how many findings still wait for a model, and why it stopped early (or null). */
    public record Run(List<Outcome> outcomes, int waiting, String stopped) {}

    public Run run(int limit, boolean regrade, Consumer<String> progress) throws InterruptedException {
        Map<Long, FindingGrade> latest = ledger.findings().latestGrades();
        List<Finding> todo = new ArrayList<>();
        for (Finding f : ledger.findings().all()) {
            FindingGrade g = latest.get(f.id());
            if (regrade || g == null || g.status().equals(FindingGrade.UNGRADED)) todo.add(f);
        }
        // The pre-filter first, in order; what it lets through goes to the model, [llm] concurrency calls at a time.
        List<Outcome> out = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Finding> forModel = new ArrayList<>();
        Map<Long, Prefilter.Verdict> pres = new java.util.HashMap<>();
        int waiting = 0;
        for (int i = 0; i < todo.size() && out.size() + forModel.size() < limit; i++) {
            Finding f = todo.get(i);
            progress.accept(String.format(Locale.ROOT, "pre-filter %d/%d: %s", i + 1, todo.size(), Text.oneLine(f.title(), 60)));
            Prefilter.Verdict pre = prefilter.judge(f.title(), f.summary());
            if (pre.rejected())
                out.add(record(f, new FindingGrade(f.id(), FindingGrade.REJECTED, null, null, null, "pre-filter: " + pre.reason(), null, 0, 0, 0, null)));
            else if (llm == null) waiting++;
            else {
                forModel.add(f);
                pres.put(f.id(), pre);
            }
        }
        if (forModel.isEmpty()) return new Run(sorted(out), waiting, null);
        String context = context();
        var stopped = new java.util.concurrent.atomic.AtomicReference<String>();
        var failedInARow = new java.util.concurrent.atomic.AtomicInteger();
        var done = new java.util.concurrent.atomic.AtomicInteger();
        var notSent = new java.util.concurrent.atomic.AtomicInteger();
        var gate = new java.util.concurrent.Semaphore(task.llm().concurrency());
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (Finding f : forModel) {
                gate.acquire();
                double spent = ledger.findings().llmSpend();
                if (stopped.get() == null && spent >= task.llm().dollars())
                    stopped.compareAndSet(null, String.format(Locale.ROOT, "the [llm] budget of $%.2f is spent ($%.4f so far)", task.llm().dollars(), spent));
                if (stopped.get() != null) {
                    gate.release();
                    notSent.incrementAndGet();
                    continue;
                }
                pool.submit(() -> {
                    try {
                        FindingGrade g = grade(f, context, pres.get(f.id()));
                        out.add(record(f, g));
                        boolean callFailed = g.status().equals(FindingGrade.UNGRADED) && g.reason().startsWith("call failed");
                        if (callFailed && failedInARow.incrementAndGet() >= BREAKER)
                            stopped.compareAndSet(null, BREAKER + " calls in a row failed (" + g.reason() + "); the rest wait for the next run");
                        else if (!callFailed) failedInARow.set(0);
                        progress.accept(String.format(Locale.ROOT, "graded %d/%d: %s", done.incrementAndGet(), forModel.size(), Text.oneLine(f.title(), 60)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        gate.release();
                    }
                    return null;
                });
            }
        }
        return new Run(sorted(out), waiting + notSent.get(), stopped.get());
    }

    private static List<Outcome> sorted(List<Outcome> out) {
        List<Outcome> s = new ArrayList<>(out);
        s.sort(java.util.Comparator.comparingLong(o -> o.finding().id()));
        return s;
    }

    private Outcome record(Finding f, FindingGrade g) {
        ledger.findings().addGrade(g);
        return new Outcome(f, g);
    }

    private FindingGrade grade(Finding f, String context, Prefilter.Verdict pre) throws InterruptedException {
        List<LlmClient.Message> messages = new ArrayList<>(List.of(
                new LlmClient.Message("system", "You grade research findings for an automated ML research loop. Answer with one JSON object and nothing else, of this schema:\n"
                        + SCHEMA + "\nTier A: worth an experiment now; B: plausible later; C: not useful here."),
                new LlmClient.Message("user", context + "\n## The finding\n" + describe(f, pre))));
        int in = 0, out = 0;
        double cost = 0;
        String problem = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            LlmClient.Answer a;
            try {
                a = llm.chat(messages);
            } catch (IOException e) {
                return new FindingGrade(f.id(), FindingGrade.UNGRADED, null, null, null, "call failed: " + e.getMessage(), task.llm().model(), in, out, cost, null);
            }
            in += a.promptTokens();
            out += a.completionTokens();
            cost += a.costUsd();
            JsonNode j;
            try {
                j = parse(a.content());
                problem = validate(j);
            } catch (IOException e) {
                j = null;
                problem = "not a JSON object (" + e.getMessage().lines().findFirst().orElse("") + ")";
            }
            if (problem == null)
                return new FindingGrade(f.id(), FindingGrade.GRADED, j.get("tier").asText(), scores(j).toString(), j.get("plan").asText(), null,
                        task.llm().model(), in, out, cost, null);
            messages.add(new LlmClient.Message("assistant", a.content()));
            messages.add(new LlmClient.Message("user", "That answer does not match the schema: " + problem + ". Answer again with only the JSON object."));
        }
        return new FindingGrade(f.id(), FindingGrade.UNGRADED, null, null, null, "the model's answers stayed off the schema: " + problem, task.llm().model(), in, out, cost, null);
    }

    /** The answer as JSON: the whole text, or the object inside a ```json fence or around prose. */
    static JsonNode parse(String content) throws IOException {
        String t = content.strip();
        if (t.startsWith("```")) t = t.replaceAll("^```[a-zA-Z]*\\s*", "").replaceAll("\\s*```$", "");
        int a = t.indexOf('{'), b = t.lastIndexOf('}');
        if (a < 0 || b < a) throw new IOException("no '{' ... '}' in: " + Text.oneLine(t, 80));
        return JSON.readTree(t.substring(a, b + 1));
    }

    /** Null when the answer matches the schema, else what is wrong with it, by field. */
    static String validate(JsonNode j) {
        if (!j.isObject()) return "the answer is not a JSON object";
        for (String k : SCORES) {
            JsonNode v = j.get(k);
            if (v == null || !v.isNumber()) return "'" + k + "' must be a number from 0 to 10" + (v == null ? " (missing)" : ", got " + v);
            if (v.asDouble() < 0 || v.asDouble() > 10) return "'" + k + "' must be from 0 to 10, got " + v;
        }
        JsonNode gain = j.get("expected_gain_bpb");
        if (gain == null || !gain.isNumber() || gain.asDouble() < 0 || gain.asDouble() > 2)
            return "'expected_gain_bpb' must be a number from 0 to 2" + (gain == null ? " (missing)" : ", got " + gain);
        JsonNode tier = j.get("tier");
        if (tier == null || !tier.isTextual() || !tier.asText().matches("[ABC]")) return "'tier' must be \"A\", \"B\" or \"C\"" + (tier == null ? " (missing)" : ", got " + tier);
        JsonNode plan = j.get("plan");
        if (plan == null || !plan.isTextual() || plan.asText().strip().length() < 20) return "'plan' must be a paragraph of text" + (plan == null ? " (missing)" : "");
        return null;
    }

    private static ObjectNode scores(JsonNode j) {
        ObjectNode o = JSON.createObjectNode();
        for (String k : SCORES) o.put(k, j.get(k).asDouble());
        o.put("expected_gain_bpb", j.get("expected_gain_bpb").asDouble());
        return o;
    }

    /** What the model needs to judge a finding for this task, from the ledger. */
    String context() {
        StringBuilder b = new StringBuilder("## The task\n");
        b.append(String.format(Locale.ROOT, "- metric: %s (%s is better); artifact (script + compressed model) <= %,d bytes; training <= %d s; script <= %d lines%n",
                task.metric().name(), task.metric().minimize() ? "lower" : "higher", task.limits().artifactBytes(), task.limits().trainSeconds(), task.limits().scriptLines()));
        Optional<Experiment> best = ledger.best((String) null, task.metric().minimize());
        b.append("- best here: ").append(best.map(e -> String.format(Locale.ROOT, "%.4f (%s)", e.run().valBpb(), Text.oneLine(e.candidate().description(), 80))).orElse("none yet")).append("\n");
        b.append("- public record: ").append(dev.caddie.frontier.CurrentRecord.describe(ledger).orElse("unknown")).append("\n");
        List<String> plan = dev.caddie.agent.DecisionState.battlePlan(task);
        if (!plan.isEmpty()) {
            b.append("\n## What the public submissions proved and what failed there (battle plan)\n");
            plan.stream().limit(12).forEach(p -> b.append("- ").append(Text.oneLine(p, 140)).append("\n"));
        }
        List<String> failed = new ArrayList<>();
        List<Experiment> all = ledger.experiments(null);
        for (int i = all.size() - 1; i >= 0 && failed.size() < 10; i--) {
            Verdict v = all.get(i).verdict();
            if (v != null && (v.verdict().equals(Verdict.DISCARD) || v.verdict().equals(Verdict.CRASH) || v.verdict().equals(Verdict.REJECTED)))
                failed.add(Text.oneLine(all.get(i).candidate().description(), 100) + " (" + v.verdict() + ")");
        }
        if (!failed.isEmpty()) {
            b.append("\n## What failed here\n");
            failed.forEach(x -> b.append("- ").append(x).append("\n"));
        }
        return b.toString();
    }

    private static String describe(Finding f, Prefilter.Verdict pre) {
        StringBuilder b = new StringBuilder("Title: ").append(f.title()).append("\n");
        if (f.url() != null) b.append("URL: ").append(f.url()).append("\n");
        if (f.published() != null) b.append("Published: ").append(f.published()).append("\n");
        if (pre.predictedBytes() != null) b.append("Size check: ").append(pre.reason()).append("\n");
        b.append("Abstract: ").append(f.summary() == null ? "(none)" : Text.oneLine(f.summary(), 3000)).append("\n");
        return b.toString();
    }


    static String now() { return Instant.now().toString(); }
}
