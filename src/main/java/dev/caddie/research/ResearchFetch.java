package dev.caddie.research;

import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FindingStore;
import dev.caddie.task.ResearchSettings;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Pulls new items from each configured source into the ledger's findings. A source's cursor is the newest date it
 * returned, per query: the next fetch keeps only what is newer, so a rerun stores nothing twice and asks the source
 * no more than one page. A source that fails is reported and the others go on; nothing stored is lost.
 */
public final class ResearchFetch {
    /** What one query did. */
    public record Outcome(String query, int fresh, int duplicates, int older, String error) {}

    private final FindingStore store;
    private final List<Source> sources;

    public ResearchFetch(FindingStore store, ResearchSettings settings, List<String> only) { this(store, settings, only, null, null); }

    /**
     * @param frontier the index `caddie frontier sync` keeps, whose PRs are findings too (null: none)
     * @param pullUrl  the PRs' web address without the number, or null
     */
    public ResearchFetch(FindingStore store, ResearchSettings settings, List<String> only, dev.caddie.ledger.FrontierStore frontier, String pullUrl) {
        this.store = store;
        List<Source> all = new ArrayList<>(List.of(new ArxivSource(settings), new SemanticScholarSource(settings, System.getenv(settings.scholarKeyEnv())),
                new OpenReviewSource(settings), new GitHubCommitsSource(settings, System.getenv(settings.githubTokenEnv())), new Feeds(settings.feeds())));
        if (frontier != null) all.add(new FrontierFindings(frontier, pullUrl));
        this.sources = all.stream().filter(s -> only.isEmpty() || only.contains(s.name())).toList();
        for (String o : only)
            if (all.stream().noneMatch(s -> s.name().equals(o)))
                throw new IllegalArgumentException("unknown source '" + o + "'; accepted: arxiv, scholar, openreview, github, feed, frontier");
    }

    public List<Outcome> run(String since, Consumer<String> progress) throws InterruptedException {
        List<Outcome> out = new ArrayList<>();
        for (Source s : sources)
            for (Source.Query q : s.queries()) {
                progress.accept("fetching " + q.key());
                String cursor = store.cursor(q.key());
                int fresh = 0, dup = 0, older = 0;
                try {
                    String newest = cursor;
                    for (Finding f : s.fetch(q)) {
                        String when = f.published();
                        // strictly older than the cursor: items of the cursor's own date are looked up (dedup keeps them once)
                        if (when != null && (cursor != null && when.compareTo(cursor) < 0 || since != null && when.compareTo(since) < 0)) {
                            older++;
                            continue;
                        }
                        if (store.add(f).fresh()) fresh++;
                        else dup++;
                        if (when != null && (newest == null || when.compareTo(newest) > 0)) newest = when;
                    }
                    if (newest != null) store.setCursor(q.key(), newest);
                    out.add(new Outcome(q.key(), fresh, dup, older, null));
                } catch (IOException | RuntimeException e) {
                    out.add(new Outcome(q.key(), fresh, dup, older, e.getMessage()));
                }
            }
        return out;
    }

    /** Whether anything is configured to fetch at all. */
    public boolean configured() { return sources.stream().anyMatch(s -> !s.queries().isEmpty()); }
}
