package dev.caddie.search;

import dev.caddie.task.SearchParam;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Caddie's built-in proposer: TPE over the env-var search space of caddie.toml, aware of the size limit.
 *
 * <p>The limit is a constraint, not a score: once the sizes measured so far can predict a draw's artifact
 * ({@link SizeFit}), a draw surely over the limit is skipped before it costs even a micro run (the sampler
 * proposes the best-scoring configuration that is not), and runs that were over it leave the objective's
 * model (as in constrained TPE, Watanabe and Hutter 2023), because an oversized configuration says nothing
 * about how well a smaller one with its learning rates would score.
 */
public final class SearchProposer implements Proposer {
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
        // refused: a draw surely over the limit, and one that ran already (a failed one would only fail again)
        Set<Map<String, String>> tried = ctx.history().stream().map(Trial::env).collect(Collectors.toSet());
        TpeSampler.Draw draw = new TpeSampler(space, seed).sample(ctx.history(), t -> size.usable() && t.overLimit(limit),
                e -> tried.contains(e) || size.surelyOver(e, limit));
        Map<String, String> env = draw.env();
        int skipped = draw.refused();
        String text = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        Long predicted = size.predict(env);
        String note = predicted == null ? "" : String.format(Locale.ROOT, " (predicted artifact %,d bytes%s)", predicted,
                skipped == 0 ? "" : String.format(Locale.ROOT, "; %d draw(s) predicted over the %,d-byte limit or tried before skipped", skipped, limit));
        return Proposal.env("tpe: " + text + note, env);
    }
}
