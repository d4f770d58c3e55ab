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
 */
public record ResearchSettings(List<String> keywords, List<String> categories, String since, List<String> feeds, int maxResults,
                               String arxivApi, long arxivIntervalMs) {
    public static final String ARXIV_API = "http://export.arxiv.org/api/query";

    public static ResearchSettings none() { return new ResearchSettings(List.of(), List.of(), null, List.of(), 20, ARXIV_API, 3000); }
}
