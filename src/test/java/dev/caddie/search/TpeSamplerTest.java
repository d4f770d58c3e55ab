package dev.caddie.search;

import dev.caddie.task.SearchParam;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TpeSamplerTest {
    private static final List<SearchParam> SPACE = List.of(
            new SearchParam("LR", SearchParam.Kind.LOG_FLOAT, 1e-4, 1e-1, List.of(), null),
            new SearchParam("LAYERS", SearchParam.Kind.INT, 1, 8, List.of(), null),
            new SearchParam("ACT", SearchParam.Kind.CATEGORICAL, 0, 2, List.of("relu", "gelu", "relu2"), null));

    /** A noisy-free bowl with its minimum at LR=3e-3, LAYERS=5, ACT=relu2. */
    private static double objective(Map<String, String> env) {
        double lr = Math.log10(Double.parseDouble(env.get("LR"))) - Math.log10(3e-3);
        double layers = Integer.parseInt(env.get("LAYERS")) - 5;
        double act = env.get("ACT").equals("relu2") ? 0 : 0.5;
        return lr * lr + 0.05 * layers * layers + act;
    }

    private static double bestAfter(int trials, java.util.function.Function<List<Trial>, Map<String, String>> sampler) {
        List<Trial> history = new ArrayList<>();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < trials; i++) {
            Map<String, String> env = sampler.apply(history);
            double v = objective(env);
            history.add(new Trial(env, v));
            best = Math.min(best, v);
        }
        return best;
    }

    @Test
    void theSameSeedAndHistoryGiveTheSameProposal() {
        List<Trial> history = List.of(new Trial(Map.of("LR", "0.01", "LAYERS", "3", "ACT", "gelu"), 1.0));
        assertThat(new TpeSampler(SPACE, 5).sample(history)).isEqualTo(new TpeSampler(SPACE, 5).sample(history));
    }

    @Test
    void valuesStayInsideTheirRangesAndChoices() {
        TpeSampler s = new TpeSampler(SPACE, 1);
        List<Trial> history = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<String, String> env = s.sample(history);
            assertThat(Double.parseDouble(env.get("LR"))).isBetween(1e-4, 1e-1);
            assertThat(Integer.parseInt(env.get("LAYERS"))).isBetween(1, 8);
            assertThat(env.get("ACT")).isIn("relu", "gelu", "relu2");
            history.add(new Trial(env, i % 7 == 0 ? null : objective(env)));
        }
    }

    @Test
    void tpeFindsBetterConfigurationsThanRandomSearchOnTheSameBudget() {
        double tpe = 0, random = 0;
        for (int seed = 0; seed < 8; seed++) {
            TpeSampler s = new TpeSampler(SPACE, seed);
            tpe += bestAfter(30, s::sample);
            TpeSampler r = new TpeSampler(SPACE, seed, Integer.MAX_VALUE, 1); // never leaves its random start-up phase
            random += bestAfter(30, r::sample);
        }
        assertThat(tpe).isLessThan(random * 0.7);
    }

    @Test
    void consecutiveStartupProposalsAreNotAlike() {
        TpeSampler s = new TpeSampler(SPACE, 1337);
        List<Trial> history = new ArrayList<>();
        List<Double> lrs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Map<String, String> env = s.sample(history);
            lrs.add(Math.log10(Double.parseDouble(env.get("LR"))));
            history.add(new Trial(env, 1.0));
        }
        double spread = lrs.stream().mapToDouble(d -> d).max().orElseThrow() - lrs.stream().mapToDouble(d -> d).min().orElseThrow();
        assertThat(spread).as("decades of LR covered by 4 random draws").isGreaterThan(0.5);
    }

    @Test
    void failedTrialsCountAsTheWorst() {
        List<Trial> history = new ArrayList<>();
        Random rng = new Random(3);
        for (int i = 0; i < 12; i++) {
            Map<String, String> env = Map.of("LR", Double.toString(1e-4 * Math.pow(1000, rng.nextDouble())), "LAYERS", "4", "ACT", "gelu");
            history.add(new Trial(env, Double.parseDouble(env.get("LR")) > 0.01 ? null : objective(env)));
        }
        int high = 0;
        TpeSampler s = new TpeSampler(SPACE, 9);
        for (int i = 0; i < 20; i++) {
            List<Trial> h = new ArrayList<>(history);
            h.add(new Trial(Map.of("LR", "0.001", "LAYERS", "4", "ACT", "gelu"), 10.0 + i)); // vary the history to vary the draw
            if (Double.parseDouble(s.sample(h).get("LR")) > 0.01) high++;
        }
        assertThat(high).isLessThan(6);
    }

    @Test
    void aRefusedProposalGivesWayToTheBestAllowedOneAndNothingChangesWhenNoneIsRefused() {
        // the objective wants LAYERS=5; refuse every LAYERS above 3 (as a size limit would)
        List<Trial> history = new ArrayList<>();
        Random rng = new Random(4);
        for (int i = 0; i < 16; i++) {
            Map<String, String> env = Map.of("LR", Double.toString(1e-4 * Math.pow(1000, rng.nextDouble())),
                    "LAYERS", Integer.toString(1 + rng.nextInt(8)), "ACT", List.of("relu", "gelu", "relu2").get(rng.nextInt(3)));
            history.add(new Trial(env, objective(env)));
        }
        int refusedSomewhere = 0;
        for (long seed = 0; seed < 10; seed++) {
            TpeSampler s = new TpeSampler(SPACE, seed);
            TpeSampler.Draw d = s.sample(history, t -> false, env -> Integer.parseInt(env.get("LAYERS")) > 3);
            assertThat(Integer.parseInt(d.env().get("LAYERS"))).isLessThanOrEqualTo(3);
            if (d.refused() > 0) refusedSomewhere++;
            assertThat(s.sample(history, t -> false, env -> false)).isEqualTo(new TpeSampler.Draw(s.sample(history), 0));
            assertThat(s.sample(history, t -> false, env -> Integer.parseInt(env.get("LAYERS")) > 3)).as("the same seed and history, the same draw").isEqualTo(d);
        }
        assertThat(refusedSomewhere).isPositive();
        // nothing allowed: the unconstrained best, with every combination tried counted as refused
        TpeSampler.Draw none = new TpeSampler(SPACE, 1).sample(history, t -> false, env -> true);
        assertThat(none.env()).isEqualTo(new TpeSampler(SPACE, 1).sample(history));
        assertThat(none.refused()).isPositive();
    }

    @Test
    void trialsLeftOutOfTheModelStillMoveTheRandomStreamOn() {
        // every trial failed on a constraint and is left out: the sampler is in its start-up phase for good, and
        // each new trial must still give a new draw (the same draw again would fail the same way, forever)
        TpeSampler s = new TpeSampler(SPACE, 3);
        List<Trial> history = new ArrayList<>();
        java.util.Set<Map<String, String>> seen = new java.util.HashSet<>();
        for (int i = 0; i < 10; i++) {
            Map<String, String> env = s.sample(history, t -> true, e -> false).env();
            assertThat(seen.add(env)).as("draw %d is new", i).isTrue();
            history.add(new Trial(env, null, 170_000L, 48_000L));
        }
    }

    @Test
    void runsStoppedEarlyRankBetweenScoredTrialsAndFailuresAndEndTheStartUpPhase() {
        Map<String, String> env = Map.of("LR", "0.001", "LAYERS", "4", "ACT", "gelu");
        Trial scoredWorse = new Trial(env, 3.0), scoredBetter = new Trial(env, 2.0), failed = new Trial(env, null);
        Trial far = new Trial(env, null, null, null, new Trial.Stopped(0.6, 2.7)), farBetter = new Trial(env, null, null, null, new Trial.Stopped(0.61, 2.5));
        Trial early = new Trial(env, null, null, null, new Trial.Stopped(0.3, 2.0)); // a lower loss, but earlier in its schedule
        List<Trial> sorted = new ArrayList<>(List.of(failed, early, far, scoredWorse, farBetter, scoredBetter));
        sorted.sort(TpeSampler.RANKING);
        assertThat(sorted).containsExactly(scoredBetter, scoredWorse, farBetter, far, early, failed);

        // four stopped runs end the four start-up trials; three do not (a sampler that never leaves them draws the same)
        TpeSampler s = new TpeSampler(SPACE, 8), random = new TpeSampler(SPACE, 8, Integer.MAX_VALUE, 1);
        List<Trial> stopped = new ArrayList<>();
        Random rng = new Random(2);
        for (int i = 0; i < 4; i++)
            stopped.add(new Trial(Map.of("LR", "0.003", "LAYERS", "5", "ACT", "relu2"), null, null, null, new Trial.Stopped(0.3, 2 + rng.nextDouble())));
        assertThat(s.sample(stopped.subList(0, 3))).isEqualTo(random.sample(stopped.subList(0, 3)));
        assertThat(s.sample(stopped)).isNotEqualTo(random.sample(stopped));
    }
}
