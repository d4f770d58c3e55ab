package dev.caddie.search;

import java.util.Map;
import java.util.stream.Collectors;

/** Caddie's built-in proposer: TPE over the env-var search space of caddie.toml. */
public final class SearchProposer implements Proposer {
    private final long seed;

    public SearchProposer(long seed) { this.seed = seed; }

    @Override
    public String name() { return "search"; }

    @Override
    public Proposal propose(ProposalContext ctx) {
        if (ctx.task().search().isEmpty())
            throw new IllegalStateException("caddie.toml has no [search] space for the built-in proposer");
        Map<String, String> env = new TpeSampler(ctx.task().search(), seed).sample(ctx.history());
        String text = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        return Proposal.env("tpe: " + text, env);
    }
}
