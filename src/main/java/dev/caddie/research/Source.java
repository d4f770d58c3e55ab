package dev.caddie.research;

import dev.caddie.ledger.Finding;

import java.io.IOException;
import java.util.List;

/** Where findings come from: each asks its own queries, newest first, in its own wire format. */
interface Source {
    /** One request series, with its own cursor (the newest date it returned last time). */
    record Query(String key, String text) {}

    String name();

    List<Query> queries();

    /** The query's items, newest first. */
    List<Finding> fetch(Query q) throws IOException, InterruptedException;
}
