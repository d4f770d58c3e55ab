package dev.caddie.ledger;

import java.util.List;

/**
 * A message between roles, kept in the ledger. {@code kind} is research_request, research_result,
 * finding, promotion_request or feed (a swarm's notes between workers); {@code body} is its JSON; a research_result names the request it
 * answers ({@code requestId}), which closes that request (state fulfilled).
 */
public record Message(long id, String kind, String sender, String body, Long requestId, String state, String createdAt, List<String> ackedBy) {
    public static final List<String> KINDS = List.of("research_request", "research_result", "finding", "promotion_request", "feed");
    public static final String OPEN = "open", FULFILLED = "fulfilled";

    /** What posting did: the message's id and whether it was already there. */
    public record Posted(long id, boolean duplicate) {}
}
