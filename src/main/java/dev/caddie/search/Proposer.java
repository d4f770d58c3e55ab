package dev.caddie.search;

import java.io.IOException;

/** Something that proposes candidates: Caddie's own search, or a coding agent. */
public interface Proposer {
    String name();

    Proposal propose(ProposalContext context) throws IOException;
}
