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
 * @param openreviewApi    OpenReview's API v2 base (its full-text note search runs the keywords); null: not asked
 * @param openreviewIntervalMs the pause between OpenReview requests
 * @param githubRepos      owner/name of repositories whose commit logs are findings (KellerJordan/modded-nanogpt)
 * @param githubApi        GitHub's REST API base
 * @param githubTokenEnv   the variable holding a GitHub token (optional: 60 requests an hour without one)
 */
public record ResearchSettings(List<String> keywords, List<String> categories, String since, List<String> feeds, int maxResults,
                               String arxivApi, long arxivIntervalMs, String scholarApi, String scholarKeyEnv, long scholarIntervalMs,
                               String openreviewApi, long openreviewIntervalMs, List<String> githubRepos, String githubApi, String githubTokenEnv) {
    public static final String ARXIV_API = "http://export.arxiv.org/api/query", SCHOLAR_API = "https://api.semanticscholar.org",
            OPENREVIEW_API = "https://api2.openreview.net", GITHUB_API = "https://api.github.com";

    public ResearchSettings(List<String> keywords, List<String> categories, String since, List<String> feeds, int maxResults,
                            String arxivApi, long arxivIntervalMs, String scholarApi, String scholarKeyEnv, long scholarIntervalMs) {
        this(keywords, categories, since, feeds, maxResults, arxivApi, arxivIntervalMs, scholarApi, scholarKeyEnv, scholarIntervalMs,
                null, 1000, List.of(), GITHUB_API, "GITHUB_TOKEN");
    }

    /** As most callers and tests give it: arXiv and feeds, Semantic Scholar at its defaults. */
    public ResearchSettings(List<String> keywords, List<String> categories, String since, List<String> feeds, int maxResults, String arxivApi, long arxivIntervalMs) {
        this(keywords, categories, since, feeds, maxResults, arxivApi, arxivIntervalMs, SCHOLAR_API, "S2_API_KEY", 1000);
    }

    public static ResearchSettings none() { return new ResearchSettings(List.of(), List.of(), null, List.of(), 20, ARXIV_API, 3000); }
}
