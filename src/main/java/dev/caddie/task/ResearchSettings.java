package dev.caddie.task;

import java.util.List;

/**
 * [research] in caddie.toml: what the research role watches.
 *
 * @param keywords         phrases searched in titles and abstracts ("quantization aware training", "muon optimizer")
 * @param categories       arXiv categories the keywords are searched in (cs.LG, cs.CL); empty: all
 * @param since            the oldest publication date worth reading (YYYY-MM-DD), or null
 * @param feeds            RSS or Atom feed URLs (blogs, release notes)
 * @param maxResults       items per query and source
 * @param arxivApi         the arXiv API endpoint (a mirror can stand in)
 * @param arxivIntervalMs  the pause between arXiv requests its terms of use ask for (one every three seconds)
 * @param scholarApi       Semantic Scholar's API base
 * @param scholarKeyEnv    the variable holding a Semantic Scholar API key (optional: without one the shared pool is used)
 * @param scholarIntervalMs the pause between Semantic Scholar requests (one a second)
 */
public record ResearchSettings(List<String> keywords, List<String> categories, String since, List<String> feeds, int maxResults,
                               String arxivApi, long arxivIntervalMs, String scholarApi, String scholarKeyEnv, long scholarIntervalMs) {
    public static final String ARXIV_API = "http://export.arxiv.org/api/query", SCHOLAR_API = "https://api.semanticscholar.org";

    /** As most callers and tests give it: arXiv and feeds, Semantic Scholar at its defaults. */
    public ResearchSettings(List<String> keywords, List<String> categories, String since, List<String> feeds, int maxResults, String arxivApi, long arxivIntervalMs) {
        this(keywords, categories, since, feeds, maxResults, arxivApi, arxivIntervalMs, SCHOLAR_API, "S2_API_KEY", 1000);
    }

    public static ResearchSettings none() { return new ResearchSettings(List.of(), List.of(), null, List.of(), 20, ARXIV_API, 3000); }
}
