package dev.caddie.cli;

import dev.caddie.agent.LearnedRules;
import dev.caddie.ledger.Hypothesis;
import dev.caddie.ledger.Ledger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "hypotheses", description = "Each agent's hypotheses beside their outcomes, how well each agent predicts (sign right, mean error), and the rules learned from the record.")
final class HypothesesCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--tag", description = "experiment tag (default: the last one used)") String tag;

    @Override
    public Integer call() throws Exception {
        try (Ledger l = LedgerCommand.read(ws)) {
            String t = LoopRunner.existingTag(l, tag);
            List<Hypothesis.Outcome> all = l.hypotheses(t);
            if (all.isEmpty()) {
                System.out.println("no hypotheses on tag " + t + " (they come from coding agents: caddie run --proposer agent:NAME)");
                return 0;
            }
            System.out.printf(Locale.ROOT, "%-5s %-12s %-9s %10s %10s %8s  %s%n", "cand", "agent", "verdict", "predicted", "measured", "cost", "hypothesis");
            for (Hypothesis.Outcome o : all) {
                var v = o.experiment().verdict();
                var run = o.experiment().run();
                String measured = v == null || v.bestBefore() == null || run == null || run.valBpb() == null ? "-"
                        : String.format(Locale.ROOT, "%+.4f", run.valBpb() - v.bestBefore());
                Hypothesis h = o.hypothesis();
                System.out.printf(Locale.ROOT, "%-5d %-12s %-9s %10s %10s %8s  %s%n", o.experiment().candidate().id(), h.agent(), v == null ? "-" : v.verdict(),
                        h.predictedDelta() == null ? "-" : String.format(Locale.ROOT, "%+.4f", h.predictedDelta()), measured,
                        h.costUsd() == null ? "-" : String.format(Locale.ROOT, "$%.2f", h.costUsd()), h.hypothesis());
            }
            System.out.println();
            for (LearnedRules.Calibration c : LearnedRules.calibration(all))
                System.out.printf(Locale.ROOT, "agent %s: %d predictions with an outcome, sign right %d (%.0f%%), mean |error| %.4f%n", c.agent(), c.n(), c.signRight(),
                        100.0 * c.signRight() / c.n(), c.meanAbsError());
            List<String> rules = LearnedRules.rules(all);
            System.out.println(rules.isEmpty() ? "learned rules: none yet (a technique must fail 3 times on a tier)" : "learned rules:");
            rules.forEach(r -> System.out.println("  " + r));
            return 0;
        }
    }
}
