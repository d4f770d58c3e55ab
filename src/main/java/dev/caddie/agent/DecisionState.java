package dev.caddie.agent;

import dev.caddie.Text;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.task.TaskSpec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The compact state an agent decides from, written into its worktree as markdown: the rules and
 * limits, the current best and its settings, the latest experiments with their verdicts and reasons,
 * dead ends, learned rules and the budget. It is held to a size budget (about 2,000 tokens), however
 * long the ledger grows: lists shrink, oldest first, until it fits. Agents spent half of a 14-16K-token
 * context on stale history in other harnesses; this is the whole of what one gets.
 */
public final class DecisionState {
    /** About 2,000 tokens at the ~4 characters per token of English and code. */
    public static final int MAX_CHARS = 8_000;

    private DecisionState() {}

    public static String render(TaskSpec task, Ledger ledger, String tag) {
        List<Experiment> all = ledger.experiments(tag);
        Optional<Experiment> best = ledger.best(tag, task.metric().minimize());
        List<String> rules = LearnedRules.rules(ledger.hypotheses(tag));
        List<String> plan = battlePlan(task);
        for (int recent = 12, dead = 10, learned = 8, planned = 10, width = 110; ; ) {
            String text = render(task, ledger, all, best, rules, plan.subList(0, Math.min(planned, plan.size())), recent, dead, learned, planned, width);
            if (text.length() <= MAX_CHARS || (recent == 0 && dead == 0 && learned == 0 && planned == 0 && width <= 40))
                return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
            if (recent > 4) recent -= 2;
            else if (planned > 4) planned -= 2;
            else if (dead > 3) dead -= 2;
            else if (learned > 3) learned--;
            else if (width > 40) width -= 20;
            else if (recent > 0) recent--;
            else if (dead > 0) dead--;
            else if (planned > 0) planned--;
            else learned--;
        }
    }

    /** The techniques of the public submissions (technique_map.json, written by `caddie frontier techniques`), best first. */
    public static List<String> battlePlan(TaskSpec task) {
        java.nio.file.Path file = task.workspace().resolve(dev.caddie.frontier.TechniqueMap.FILE);
        if (!java.nio.file.Files.isRegularFile(file)) return List.of();
        try {
            return dev.caddie.frontier.TechniqueMap.summary(new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile()), 40);
        } catch (java.io.IOException e) {
            return List.of("(" + file.getFileName() + " could not be read: " + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static String render(TaskSpec task, Ledger ledger, List<Experiment> all, Optional<Experiment> best, List<String> rules, List<String> plan,
                                 int recent, int dead, int learned, int planned, int width) {
        StringBuilder b = new StringBuilder();
        String metric = task.metric().name() + (task.metric().minimize() ? " (lower is better)" : " (higher is better)");
        b.append("# Decision state for ").append(task.name()).append("\n\n");
        b.append("## Rules\n");
        b.append(String.format(Locale.ROOT, "- metric: %s; artifact (script bytes + compressed model) <= %,d bytes; script <= %d lines; training <= %d s%n",
                metric, task.limits().artifactBytes(), task.limits().scriptLines(), task.limits().trainSeconds()));
        b.append("- you may edit only: ").append(String.join(", ", task.editable())).append("\n");
        if (!task.protectedFiles().isEmpty()) b.append("- never touch: ").append(String.join(", ", task.protectedFiles().keySet())).append(" (protected; a change is rejected)\n");
        b.append("- no validation data in training, none stored in the artifact, no network at run time (Caddie lints every change)\n\n");
        b.append("## Current best\n");
        if (best.isPresent()) {
            Experiment e = best.get();
            b.append(String.format(Locale.ROOT, "- candidate %d: %s %.6f — %s%n", e.candidate().id(), task.metric().name(),
                    ledger.meanScore(e.candidate().id(), e.run().tier()).orElse(e.run().valBpb()), Text.oneLine(e.candidate().description(), width)));
            Map<String, String> env = e.candidate().env();
            b.append("- settings: ").append(env.isEmpty() ? "the script's defaults" : env.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(" "))).append("\n\n");
        } else b.append("- none yet (the baseline runs first)\n\n");
        b.append("## Latest experiments (newest last)\n");
        List<Experiment> last = all.subList(Math.max(0, all.size() - recent), all.size());
        if (last.isEmpty()) b.append("- none\n");
        for (Experiment e : last) {
            Verdict v = e.verdict();
            String score = e.run() == null || e.run().valBpb() == null ? "-" : String.format(Locale.ROOT, "%.4f", e.run().valBpb());
            b.append(String.format(Locale.ROOT, "- #%d %s: %s -> %s %s%s%n", e.candidate().id(), e.candidate().proposer(), Text.oneLine(e.candidate().description(), width),
                    v == null ? "running" : v.verdict(), score, v == null || v.reason() == null ? "" : " (" + Text.oneLine(v.reason(), width) + ")"));
        }
        Set<String> deadEnds = new LinkedHashSet<>();
        for (int i = all.size() - 1; i >= 0 && deadEnds.size() < dead; i--) {
            Verdict v = all.get(i).verdict();
            if (v != null && (v.verdict().equals(Verdict.DISCARD) || v.verdict().equals(Verdict.CRASH) || v.verdict().equals(Verdict.REJECTED)))
                deadEnds.add(Text.oneLine(all.get(i).candidate().description(), width) + " (" + v.verdict() + ")");
        }
        b.append("\n## Dead ends (do not repeat)\n");
        if (deadEnds.isEmpty()) b.append("- none yet\n");
        deadEnds.forEach(d -> b.append("- ").append(d).append("\n"));
        // What the critic said about changes it let through: similar to a failure elsewhere, or risky to scale.
        List<String> critic = ledger.latestGateResults(dev.caddie.gate.Critic.REVIEW, 5).stream()
                .map(g -> "#" + g.candidateId() + " " + Text.oneLine(g.reason(), width)).collect(Collectors.toCollection(ArrayList::new));
        ledger.latestGateResults(dev.caddie.gate.Critic.SCALE, 3).forEach(g -> critic.add("#" + g.candidateId() + " " + Text.oneLine(g.reason(), width)));
        if (!critic.isEmpty()) {
            b.append("\n## Critic notes (changes near earlier failures, and scale risks)\n");
            critic.forEach(c -> b.append("- ").append(c).append("\n"));
        }
        b.append("\n## Learned rules\n");
        List<String> lr = rules.subList(0, Math.min(learned, rules.size()));
        if (lr.isEmpty()) b.append("- none yet\n");
        lr.forEach(r -> b.append("- ").append(r).append("\n"));
        b.append("\n## Public frontier\n");
        b.append("- current record: ").append(dev.caddie.frontier.CurrentRecord.describe(ledger).orElse("unknown (caddie frontier sync finds it)")).append("\n");
        if (plan.isEmpty()) b.append("- battle plan: none yet (caddie frontier techniques writes it)\n");
        plan.forEach(p -> b.append("- ").append(Text.oneLine(p, width)).append("\n"));
        // Graded findings (A tier first) and the strategy `caddie research reflect` wrote, as space allows.
        b.append("\n## Open research findings\n");
        List<String> open = new ArrayList<>();
        var grades = ledger.findings().latestGrades();
        grades.values().stream().filter(g -> dev.caddie.ledger.FindingGrade.GRADED.equals(g.status()) && !"C".equals(g.tier()))
                .sorted(java.util.Comparator.comparing(dev.caddie.ledger.FindingGrade::tier)).limit(Math.max(0, planned / 3))
                .forEach(g -> open.add("finding " + g.findingId() + " (tier " + g.tier() + "): " + Text.oneLine(ledger.findings().get(g.findingId()).map(f -> f.title()).orElse("?"), 60)
                        + " — " + Text.oneLine(g.plan(), width)));
        if (open.isEmpty()) b.append("- none\n");
        open.forEach(o -> b.append("- ").append(o).append("\n"));
        List<String> strategy = dev.caddie.research.Reflection.read(task.workspace());
        if (!strategy.isEmpty()) {
            b.append("\n## Strategy (strategy.md, from caddie research reflect)\n");
            strategy.stream().limit(planned).forEach(x -> b.append("- ").append(Text.oneLine(x, width)).append("\n"));
        }
        double left = task.budget().dollars() - ledger.committedUsd();
        b.append(String.format(Locale.ROOT, "%n## Budget%n- $%.2f left of $%.2f; %d experiments so far%n", left, task.budget().dollars(), all.size()));
        return b.toString();
    }


    /** What the agent is asked to do; the decision state follows it. */
    public static String prompt(String state, List<String> editable) {
        return """
                You are proposing one experiment for Caddie, which runs and judges it; you do not.
                Implement exactly ONE hypothesis by editing only these files: %s.
                Then describe it in .caddie/hypothesis.json as a JSON object with:
                  "hypothesis": one sentence saying what you changed and why it should help,
                  "predicted_delta": the change in the metric you expect (a number in its units, negative = lower),
                  "basis": what the expectation rests on (an experiment number, a paper, a measurement),
                  "risk": what could go wrong.
                Do not run the official tier, do not write outside this folder, do not touch .caddie except that file.
                The decision state (also in .caddie/decision.md):

                """.formatted(String.join(", ", editable)) + state;
    }

    /** Lists in the order given, for tests and callers that want the parts. */
    static List<String> sections(String state) {
        List<String> out = new ArrayList<>();
        for (String line : state.split("\n")) if (line.startsWith("## ")) out.add(line.substring(3));
        return out;
    }
}
