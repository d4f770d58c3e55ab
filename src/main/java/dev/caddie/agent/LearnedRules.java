package dev.caddie.agent;

import dev.caddie.ledger.Hypothesis;
import dev.caddie.ledger.Verdict;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the record teaches the next proposal: a technique (a content word of the hypotheses) that failed
 * at least three times on a tier and never won there, and how well each agent predicts (sign right,
 * mean absolute error of its predicted delta against the measured one).
 */
public final class LearnedRules {
    private static final Set<String> STOP = Set.of("the", "and", "with", "from", "into", "that", "this", "will", "should", "more", "less", "than",
            "lower", "higher", "increase", "decrease", "reduce", "raise", "use", "using", "model", "train", "training", "loss", "better", "improve", "value");

    /** An agent's calibration: n predictions with a measured outcome. */
    public record Calibration(String agent, int n, int signRight, double meanAbsError) {}

    private LearnedRules() {}

    /** One rule per line, strongest first. */
    public static List<String> rules(List<Hypothesis.Outcome> outcomes) {
        Map<String, int[]> counts = new TreeMap<>(); // "tier technique" -> {failed, kept}
        for (Hypothesis.Outcome o : outcomes) {
            var v = o.experiment().verdict();
            if (v == null || o.experiment().run() == null) continue;
            String tier = o.experiment().run().tier();
            boolean kept = v.verdict().equals(Verdict.KEEP);
            for (String w : words(o.hypothesis().hypothesis())) {
                int[] c = counts.computeIfAbsent(tier + " " + w, k -> new int[2]);
                if (kept) c[1]++;
                else c[0]++;
            }
        }
        List<Map.Entry<String, int[]>> bad = new ArrayList<>(counts.entrySet().stream().filter(e -> e.getValue()[0] >= 3 && e.getValue()[1] == 0).toList());
        bad.sort((a, b) -> b.getValue()[0] - a.getValue()[0]);
        List<String> out = new ArrayList<>();
        for (var e : bad) {
            String[] tw = e.getKey().split(" ", 2);
            out.add(String.format(Locale.ROOT, "'%s' failed %d times on tier %s and never won there", tw[1], e.getValue()[0], tw[0]));
        }
        return out;
    }

    public static List<Calibration> calibration(List<Hypothesis.Outcome> outcomes) {
        Map<String, List<double[]>> by = new HashMap<>();
        for (Hypothesis.Outcome o : outcomes) {
            Double predicted = o.hypothesis().predictedDelta();
            var v = o.experiment().verdict();
            if (predicted == null || v == null || v.bestBefore() == null || o.experiment().run() == null || o.experiment().run().valBpb() == null) continue;
            double measured = o.experiment().run().valBpb() - v.bestBefore();
            by.computeIfAbsent(o.hypothesis().agent(), k -> new ArrayList<>()).add(new double[]{predicted, measured});
        }
        List<Calibration> out = new ArrayList<>();
        for (var e : new TreeMap<>(by).entrySet()) {
            int sign = 0;
            double err = 0;
            for (double[] pm : e.getValue()) {
                if (Math.signum(pm[0]) == Math.signum(pm[1])) sign++;
                err += Math.abs(pm[0] - pm[1]);
            }
            out.add(new Calibration(e.getKey(), e.getValue().size(), sign, err / e.getValue().size()));
        }
        return out;
    }

    static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z0-9_]+"))
            if (w.length() >= 4 && !STOP.contains(w) && !w.chars().allMatch(Character::isDigit)) out.add(w);
        return out;
    }
}
