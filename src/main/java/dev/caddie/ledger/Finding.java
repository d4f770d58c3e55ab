package dev.caddie.ledger;

import java.util.List;
import java.util.Locale;

/**
 * One item a research source found: a paper, a post, a PR of the challenge.
 *
 * @param sourceId  the item's id at its source (an arXiv abs URL, a feed entry's guid)
 * @param arxivId   the arXiv id without version (2106.09685), when the item is or names an arXiv paper
 * @param raw       the item as the source sent it (an Atom entry, a JSON object), for what a later step wants
 */
public record Finding(long id, String source, String sourceId, String url, String title, String summary, List<String> authors, String published,
                      String arxivId, String doi, String raw, String fetchedAt) {
    public Finding {
        authors = authors == null ? List.of() : List.copyOf(authors);
    }

    /** A title compared without case, punctuation or spacing: the same paper from two sources has one. */
    public static String normalise(String title) {
        return title == null ? "" : title.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
    }
}
