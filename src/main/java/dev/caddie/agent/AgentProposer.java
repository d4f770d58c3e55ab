package dev.caddie.agent;

import dev.caddie.ledger.Ledger;
import dev.caddie.search.Proposal;
import dev.caddie.search.ProposalContext;
import dev.caddie.search.Proposer;
import dev.caddie.task.AgentSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A coding agent as a proposer. Caddie drives it: each proposal is an {@link AgentEdit} run in the
 * candidate's worktree from the decision state; the harness commits, gates and runs what it changed.
 */
public final class AgentProposer implements Proposer {
    private final AgentSpec spec;
    private final Ledger ledger;
    private final AgentRunner runner;
    private final Path transcripts;

    public AgentProposer(AgentSpec spec, Ledger ledger, boolean sandboxed, Path transcripts) {
        this.spec = spec;
        this.ledger = ledger;
        this.runner = new AgentRunner(sandboxed);
        this.transcripts = transcripts;
        AgentCli.of(spec); // an unknown kind fails here, before the loop starts
    }

    @Override
    public String name() { return "agent:" + spec.name(); }

    @Override
    public Proposal propose(ProposalContext context) throws IOException {
        String state = DecisionState.render(context.task(), ledger, context.tag());
        return new Proposal("agent " + spec.name() + " (hypothesis pending)", Map.of(), new AgentEdit(context.task(), spec, runner, state, transcripts));
    }
}
