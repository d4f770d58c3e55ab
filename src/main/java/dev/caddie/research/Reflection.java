package dev.caddie.research;

import dev.caddie.Text;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FindingGrade;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * `caddie research reflect`: what the ledger says, written to strategy.md for the proposers. Always a deterministic
 * part (counts, the best result, each direction's tries and best delta, the failure reasons that repeat, the A-tier
 * findings and the next experiments they suggest); with an [llm], a synthesis of it on top. Never nothing.
 */
public final class Reflection {
    public static final String FILE = "strategy.md";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TaskSpec task;
    private final Ledger ledger;

    public Reflection(TaskSpec task, Ledger ledger) {
        this.task = task;
        this.ledger = ledger;
    }

    /** One direction of the search: the setting or the idea a candidate changed, with how its tries went. */
    record Direction(String name, int tries, int kept, int failed, Double bestDelta) {}

    /** Writes strategy.md (the synthesis first when a model gave one) and returns its text. */
    public String write(LlmClient llm) throws IOException, InterruptedException {
        String facts = summary();
        String text = facts;
        if (llm != null) {
            LlmClient.Answer a = llm.chat(List.of(
                    new LlmClient.Message("system", "You are the research lead of an automated ML experiment loop. From the facts given, write at most 12 "
                            + "short markdown bullet points: failure patterns, exhausted directions, promising ones, and the next three experiments with a "
                            + "predicted val_bpb delta each. No preamble."),
                    new LlmClient.Message("user", facts)));
            if (!a.content().isBlank()) text = "# Strategy\n\n## Synthesis (" + task.llm().model() + ")\n\n" + a.content().strip() + "\n\n" + facts.replaceFirst("^# Strategy\n\n", "");
        }
        Files.writeString(task.workspace().resolve(FILE), text);
        updateTechniqueMap();
        return text;
    }

    /**
     * Adds to technique_map.json the edges between techniques: two that improved a confirmed submission together, or
     * were kept together here, compose; two whose joint submission or candidate got worse conflict. The map itself
     * (proven, exploring, dead-end, untried) is `caddie frontier techniques`' work; without it there is nothing to add to.
     */
    public boolean updateTechniqueMap() throws IOException {
        Path file = task.workspace().resolve(dev.caddie.frontier.TechniqueMap.FILE);
        if (!Files.isRegularFile(file)) return false;
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isObject()) return false;
        Map<String, int[]> pairs = new TreeMap<>(); // "a|b" -> {composes, conflicts}
        for (JsonNode sub : root.path("submissions")) {
            List<String> ts = new ArrayList<>();
            sub.path("techniques").forEach(t -> ts.add(t.asText()));
            if (ts.size() < 2 || !sub.path("delta_bpb").isNumber()) continue;
            boolean better = sub.path("delta_bpb").asDouble() < 0 && sub.path("confirmed").asBoolean(false);
            boolean worse = sub.path("delta_bpb").asDouble() > 0;
            if (better || worse) pair(pairs, ts, better ? 0 : 1);
        }
        Map<Long, List<String>> byCandidate = new LinkedHashMap<>();
        Map<Long, String> verdicts = new LinkedHashMap<>();
        for (JsonNode t : root.path("techniques"))
            for (JsonNode own : t.path("own")) {
                byCandidate.computeIfAbsent(own.path("candidate").asLong(), k -> new ArrayList<>()).add(t.path("technique").asText());
                verdicts.put(own.path("candidate").asLong(), own.path("verdict").asText());
            }
        byCandidate.forEach((cid, ts) -> {
            if (ts.size() < 2) return;
            if (Verdict.KEEP.equals(verdicts.get(cid))) pair(pairs, ts, 0);
            else if (Verdict.DISCARD.equals(verdicts.get(cid))) pair(pairs, ts, 1);
        });
        var edges = ((com.fasterxml.jackson.databind.node.ObjectNode) root).putArray("edges");
        pairs.forEach((k, c) -> {
            String[] ab = k.split("\\|", 2);
            if (c[0] > 0 && c[0] >= c[1]) edges.addObject().put("a", ab[0]).put("b", ab[1]).put("relation", "composes").put("evidence", c[0]).put("against", c[1]);
            else if (c[1] > 0) edges.addObject().put("a", ab[0]).put("b", ab[1]).put("relation", "conflicts").put("evidence", c[1]).put("against", c[0]);
        });
        ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("reflected_at", java.time.Instant.now().toString());
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        return true;
    }

    private static void pair(Map<String, int[]> pairs, List<String> ts, int which) {
        List<String> u = ts.stream().distinct().sorted().toList();
        for (int i = 0; i < u.size(); i++)
            for (int j = i + 1; j < u.size(); j++) pairs.computeIfAbsent(u.get(i) + "|" + u.get(j), k -> new int[2])[which]++;
    }

    /** The deterministic part: what the ledger holds, counted. */
    public String summary() {
        List<Experiment> all = ledger.experiments(null);
        StringBuilder b = new StringBuilder("# Strategy\n\n## Where the search stands\n");
        Map<String, Integer> byVerdict = new TreeMap<>();
        for (Experiment e : all) byVerdict.merge(e.verdict() == null ? "running" : e.verdict().verdict(), 1, Integer::sum);
        b.append(String.format(Locale.ROOT, "- %d experiments: %s%n", all.size(), byVerdict.isEmpty() ? "none yet"
                : String.join(", ", byVerdict.entrySet().stream().map(x -> x.getValue() + " " + x.getKey()).toList())));
        ledger.best((String) null, task.metric().minimize()).ifPresent(best -> {
            Experiment first = all.stream().filter(e -> e.run() != null && e.run().valBpb() != null).findFirst().orElse(best);
            b.append(String.format(Locale.ROOT, "- best: candidate %d, %s %.4f (%+.4f from the first scored, %s)%n", best.candidate().id(), task.metric().name(),
                    best.run().valBpb(), best.run().valBpb() - first.run().valBpb(), Text.oneLine(best.candidate().description(), 80)));
        });

        List<Direction> dirs = directions(all);
        b.append("\n## Directions (tries, kept, failed, best delta against the best before)\n");
        if (dirs.isEmpty()) b.append("- none yet\n");
        for (Direction d : dirs.subList(0, Math.min(15, dirs.size())))
            b.append(String.format(Locale.ROOT, "- %s: %d tried, %d kept, %d failed%s%s%n", d.name(), d.tries(), d.kept(), d.failed(),
                    d.bestDelta() == null ? "" : String.format(Locale.ROOT, ", best %+.5f", d.bestDelta()),
                    d.tries() >= 3 && d.kept() == 0 ? " (exhausted: stop)" : d.kept() > 0 ? " (promising)" : ""));

        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (Experiment e : all) {
            Verdict v = e.verdict();
            if (v == null || v.reason() == null || v.verdict().equals(Verdict.KEEP)) continue;
            reasons.merge(v.verdict() + ": " + normalise(v.reason()), 1, Integer::sum);
        }
        b.append("\n## Failures that repeat\n");
        List<Map.Entry<String, Integer>> rep = reasons.entrySet().stream().filter(x -> x.getValue() >= 2)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8).toList();
        if (rep.isEmpty()) b.append("- none\n");
        rep.forEach(x -> b.append(String.format(Locale.ROOT, "- %dx %s%n", x.getValue(), Text.oneLine(x.getKey(), 140))));

        b.append("\n## Next experiments (A-tier findings, best expected gain first)\n");
        Map<Long, FindingGrade> grades = ledger.findings().latestGrades();
        List<String> next = new ArrayList<>();
        grades.values().stream().filter(g -> FindingGrade.GRADED.equals(g.status()) && "A".equals(g.tier()))
                .sorted(Comparator.comparingDouble((FindingGrade g) -> -g.expectedGain())).limit(5).forEach(g -> {
                    Finding f = ledger.findings().get(g.findingId()).orElse(null);
                    next.add(String.format(Locale.ROOT, "finding %d (expected %.3f bpb): %s — %s", g.findingId(), g.expectedGain(), f == null ? "?" : Text.oneLine(f.title(), 80), Text.oneLine(g.plan(), 200)));
                });
        long rejected = grades.values().stream().filter(g -> FindingGrade.REJECTED.equals(g.status())).count();
        if (next.isEmpty()) b.append("- none graded A yet (caddie research grade)\n");
        next.forEach(x -> b.append("- ").append(x).append("\n"));
        if (rejected > 0) b.append(String.format(Locale.ROOT, "- (%d findings rejected by the size pre-filter)%n", rejected));
        return b.toString();
    }

    /** The setting an env-only candidate changed, else the first words of what it says it did. */
    static List<Direction> directions(List<Experiment> all) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, Double> best = new LinkedHashMap<>();
        for (Experiment e : all) {
            if (e.candidate().proposer().equals("baseline") || e.verdict() == null) continue;
            List<String> names = new ArrayList<>(e.candidate().env().keySet());
            if (names.isEmpty()) names.add(direction(e.candidate().description()));
            Verdict v = e.verdict();
            boolean kept = v.verdict().equals(Verdict.KEEP);
            boolean failed = !kept && !v.verdict().equals(Verdict.INTERRUPTED);
            Double delta = e.run() != null && e.run().valBpb() != null && v.bestBefore() != null ? e.run().valBpb() - v.bestBefore() : null;
            for (String n : names) {
                int[] c = counts.computeIfAbsent(n, k -> new int[3]);
                c[0]++;
                if (kept) c[1]++;
                if (failed) c[2]++;
                if (delta != null) best.merge(n, delta, Math::min);
            }
        }
        List<Direction> out = new ArrayList<>();
        counts.forEach((n, c) -> out.add(new Direction(n, c[0], c[1], c[2], best.get(n))));
        out.sort(Comparator.comparingInt((Direction d) -> -d.tries()).thenComparing(Direction::name));
        return out;
    }

    private static String direction(String description) {
        String first = description == null ? "" : description.lines().findFirst().orElse("").toLowerCase(Locale.ROOT);
        String[] w = first.replaceAll("[^a-z0-9_ ]+", " ").strip().split("\\s+");
        return String.join(" ", java.util.Arrays.copyOf(w, Math.min(3, w.length))).strip();
    }

    private static String normalise(String reason) {
        return reason.replaceAll("\\d+(\\.\\d+)?", "N").replaceAll("\\s+", " ").strip();
    }



    /** The strategy file as the decision state quotes it, or empty when reflection has not run. */
    public static List<String> read(Path workspace) {
        Path f = workspace.resolve(FILE);
        if (!Files.isRegularFile(f)) return List.of();
        try {
            return Files.readAllLines(f).stream().filter(l -> l.startsWith("- ")).map(l -> l.substring(2)).toList();
        } catch (IOException e) {
            return List.of("(" + FILE + " could not be read: " + e.getMessage() + ")");
        }
    }
}
