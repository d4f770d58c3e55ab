package dev.caddie.search;

import dev.caddie.task.SearchParam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Caddie's built-in proposer: TPE over the env-var search space of caddie.toml, aware of the size limit.
 *
 * <p>The limit is a constraint, not a score: once the sizes measured so far can predict a draw's artifact
 * ({@link SizeFit}), a draw surely over the limit is skipped before it costs even a micro run (the sampler
 * proposes the best-scoring configuration that is not), and runs that were over it leave the objective's
 * model (as in constrained TPE, Watanabe and Hutter 2023), because an oversized configuration says nothing
 * about how well a smaller one with its learning rates would score.
 *
 * <p>A draw that nearly repeats a configuration already run is skipped too. TPE's argmax keeps returning to
 * the centre of its best few trials, and once they sit close together it proposes the same point again and
 * again; a run within {@link #REPEAT_FRACTION} of every range of one already measured would only measure the
 * run's own noise (about 0.02 val_bpb on Tiny Golf) a second time, at the price of a full run.
 */
public final class SearchProposer implements Proposer {
    /** Per parameter, the share of its (internal: log for log-float) range within which two values are the same. */
    static final double REPEAT_FRACTION = 0.03;

    private final long seed;

    public SearchProposer(long seed) { this.seed = seed; }

    @Override
    public String name() { return "search"; }

    @Override
    public Proposal propose(ProposalContext ctx) {
        List<SearchParam> space = ctx.task().search();
        if (space.isEmpty())
            throw new IllegalStateException("caddie.toml has no [search] space for the built-in proposer");
        long limit = ctx.task().limits().artifactBytes();
        SizeFit size = SizeFit.fit(space, ctx.history());
        // refused: a draw surely over the limit, and one that (nearly) ran already: a failed one would only
        // fail again, a scored one would measure its noise again
        List<Map<String, String>> tried = ctx.history().stream().map(Trial::env).toList();
        int[] over = {0}, repeated = {0}; // why draws were skipped, for the candidate's description
        TpeSampler.Draw draw = new TpeSampler(space, seed).sample(ctx.history(), t -> size.usable() && t.overLimit(limit), e -> {
            if (size.surelyOver(e, limit)) {
                over[0]++;
                return true;
            }
            if (tried.stream().anyMatch(t -> repeats(space, e, t))) {
                repeated[0]++;
                return true;
            }
            return false;
        });
        Map<String, String> env = draw.env();
        String text = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        Long predicted = size.predict(env);
        List<String> notes = new ArrayList<>();
        if (predicted != null) notes.add(String.format(Locale.ROOT, "predicted artifact %,d bytes", predicted));
        if (over[0] > 0) notes.add(String.format(Locale.ROOT, "%d draw(s) predicted over the %,d-byte limit skipped", over[0], limit));
        if (repeated[0] > 0) notes.add(String.format(Locale.ROOT, "%d draw(s) repeating a run skipped", repeated[0]));
        String note = notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")";
        return Proposal.env("tpe: " + text + note, env);
    }

    /** Whether a is b again: every categorical the same, every number within REPEAT_FRACTION of its range. */
    static boolean repeats(List<SearchParam> space, Map<String, String> a, Map<String, String> b) {
        for (SearchParam p : space) {
            double d = Math.abs(TpeSampler.internal(p, a) - TpeSampler.internal(p, b));
            if (p.kind() == SearchParam.Kind.CATEGORICAL ? d > 0 : d > REPEAT_FRACTION * (TpeSampler.hi(p) - TpeSampler.lo(p))) return false;
        }
        return true;
    }
}
