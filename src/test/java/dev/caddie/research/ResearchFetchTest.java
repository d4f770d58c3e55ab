package dev.caddie.research;

import dev.caddie.ledger.Finding;
import dev.caddie.ledger.Ledger;
import dev.caddie.task.ResearchSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Fetching findings from arXiv and feeds served on loopback in their real formats: storage, dedup, cursors and failures. */
class ResearchFetchTest {
    @TempDir Path tmp;

    private static ResearchSettings settings(SourceStandIn s, List<String> keywords, List<String> feeds) {
        return new ResearchSettings(keywords, List.of("cs.LG", "cs.CL"), null, feeds, 20, s.url("/api/query"), 0, s.base(), "CADDIE_TEST_NO_S2_KEY", 0);
    }

    /** The sources these tests look at in order (Semantic Scholar has its own test). */
    private static final List<String> ARXIV_AND_FEEDS = List.of("arxiv", "feed");

    @Test
    void semanticScholarsSearchJoinsAndItsArxivPapersAreTheSameFindings() throws Exception {
        try (SourceStandIn s = new SourceStandIn(); Ledger l = Ledger.open(tmp.resolve("l.db"))) {
            s.papers.add(paper("2401.00001", "Quantization Aware Training at Scale", "2026-01-02T00:00:00Z"));
            s.papers.add(new SourceStandIn.Paper("http://arxiv.org/abs/2401.00002v1", "Muon: an Optimizer for Hidden Layers", "Orthogonalized momentum.",
                    "2026-01-03T00:00:00Z", List.of("K. Jordan"), "10.1000/muon.2026"));
            ResearchSettings since = new ResearchSettings(List.of("muon"), List.of(), "2025-01-01", List.of(), 20, s.url("/api/query"), 0, s.base(), "CADDIE_TEST_NO_S2_KEY", 0);
            List<ResearchFetch.Outcome> scholar = new ResearchFetch(l.findings(), since, List.of("scholar")).run(since.since(), x -> {});
            assertThat(scholar).singleElement().satisfies(o -> {
                assertThat(o.error()).isNull();
                assertThat(o.fresh()).isEqualTo(2);
            });
            assertThat(s.queries.get(0)).contains("query=muon", "fields=title,abstract,url,publicationDate", "publicationDateOrYear=2025-01-01:");
            Finding muon = l.findings().all().stream().filter(f -> "2401.00002".equals(f.arxivId())).findFirst().orElseThrow();
            assertThat(muon.source()).isEqualTo("scholar");
            assertThat(muon.doi()).isEqualTo("10.1000/muon.2026");
            assertThat(muon.authors()).containsExactly("K. Jordan");
            // the same papers from arXiv are known already
            List<ResearchFetch.Outcome> arxiv = new ResearchFetch(l.findings(), settings(s, List.of("muon"), List.of()), List.of("arxiv")).run(null, x -> {});
            assertThat(arxiv.get(0).duplicates()).isEqualTo(2);
            assertThat(l.findings().all()).hasSize(2);
        }
    }

    @Test
    void semanticScholarIsReadPageByPageUpToMaxResults() throws Exception {
        try (SourceStandIn s = new SourceStandIn(); Ledger l = Ledger.open(tmp.resolve("l.db"))) {
            for (int i = 0; i < 250; i++) s.papers.add(paper(String.format("2402.%05d", i), "Paper " + i, "2026-02-01T00:00:00Z"));
            ResearchSettings many = new ResearchSettings(List.of("paper"), List.of(), null, List.of(), 230, s.url("/api/query"), 0, s.base(), "CADDIE_TEST_NO_S2_KEY", 0);
            List<ResearchFetch.Outcome> out = new ResearchFetch(l.findings(), many, List.of("scholar")).run(null, x -> {});
            assertThat(out.get(0).fresh()).isEqualTo(230);
            assertThat(s.queries).hasSize(3);
            assertThat(s.queries.get(1)).contains("offset=100&limit=100");
            assertThat(s.queries.get(2)).contains("offset=200&limit=30");
        }
    }

    private static SourceStandIn.Paper paper(String id, String title, String date) {
        return new SourceStandIn.Paper("http://arxiv.org/abs/" + id + "v2", title, "We study " + title.toLowerCase() + ".", date, List.of("Ada Lovelace", "Alan Turing"), null);
    }

    @Test
    void arxivEntriesAreStoredOnceAndARerunFetchesOnlyWhatIsNew() throws Exception {
        try (SourceStandIn s = new SourceStandIn(); Ledger l = Ledger.open(tmp.resolve("l.db"))) {
            s.papers.add(paper("2401.00001", "Quantization Aware Training at Scale", "2026-01-02T00:00:00Z"));
            s.papers.add(new SourceStandIn.Paper("http://arxiv.org/abs/2401.00002v1", "Muon:  an  Optimizer\n for Hidden Layers", "Orthogonalized momentum.",
                    "2026-01-03T00:00:00Z", List.of("K. Jordan"), "10.1000/muon.2026"));
            ResearchFetch f = new ResearchFetch(l.findings(), settings(s, List.of("quantization aware training", "muon"), List.of()), ARXIV_AND_FEEDS);
            List<ResearchFetch.Outcome> first = f.run(null, x -> {});
            assertThat(first).extracting(ResearchFetch.Outcome::error).containsOnlyNulls();
            assertThat(first.get(0).fresh()).isEqualTo(2);
            assertThat(first.get(1).duplicates()).isEqualTo(2); // the second query finds the same papers: stored once
            assertThat(s.queries.get(0)).contains("search_query=(cat:cs.LG OR cat:cs.CL) AND (ti:\"quantization aware training\" OR abs:\"quantization aware training\")",
                    "sortBy=submittedDate", "sortOrder=descending");
            List<Finding> all = l.findings().all();
            assertThat(all).hasSize(2);
            Finding muon = all.stream().filter(x -> x.arxivId().equals("2401.00002")).findFirst().orElseThrow();
            assertThat(muon.title()).isEqualTo("Muon: an Optimizer for Hidden Layers");
            assertThat(muon.doi()).isEqualTo("10.1000/muon.2026");
            assertThat(muon.authors()).containsExactly("K. Jordan");
            assertThat(muon.url()).isEqualTo("http://arxiv.org/abs/2401.00002v1");
            assertThat(muon.raw()).contains("<arxiv:primary_category");

            List<ResearchFetch.Outcome> again = f.run(null, x -> {});
            assertThat(again.get(0).fresh()).isZero();
            assertThat(again.get(0).older()).isEqualTo(1); // older than the cursor: not even looked up
            assertThat(again.get(0).duplicates()).isEqualTo(1); // the cursor's own date: looked up, known
            s.papers.add(paper("2402.00003", "Ternary Weights for Small Language Models", "2026-02-01T00:00:00Z"));
            assertThat(f.run(null, x -> {}).get(0).fresh()).isEqualTo(1);
            assertThat(l.findings().all()).hasSize(3);
        }
    }

    @Test
    void feedsInRssAndAtomJoinAndTheSamePaperFromTwoSourcesIsOneFinding() throws Exception {
        try (SourceStandIn s = new SourceStandIn(); Ledger l = Ledger.open(tmp.resolve("l.db"))) {
            s.papers.add(paper("2401.00001", "Quantization Aware Training at Scale", "2026-01-02T00:00:00Z"));
            s.bodies.put("/blog/rss.xml", """
                    <?xml version="1.0"?>
                    <rss version="2.0"><channel><title>A lab</title>
                      <item><title>Our QAT paper</title><link>https://arxiv.org/abs/2401.00001</link><guid>lab-1</guid>
                        <pubDate>Tue, 02 Jan 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;Read it&lt;/p&gt;</description></item>
                      <item><title></title><link>https://lab.example/broken</link></item>
                      <item><title>Depth recurrence, explained</title><link>https://lab.example/depth</link>
                        <pubDate>Wed, 10 Jan 2026 10:00:00 GMT</pubDate></item>
                    </channel></rss>
                    """);
            s.bodies.put("/news/atom.xml", """
                    <?xml version="1.0" encoding="utf-8"?>
                    <feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
                      <entry><id>tag:news,2026:7</id><title>DEPTH RECURRENCE — explained!</title><link href="https://news.example/7"/>
                        <updated>2026-01-11T00:00:00Z</updated><summary>Same post, syndicated.</summary><author><name>B</name></author></entry>
                      <entry><id>tag:news,2026:8</id><title>Value embeddings</title><link rel="alternate" href="https://news.example/8"/>
                        <published>2026-01-12T00:00:00Z</published><content>Long text</content></entry>
                    </feed>
                    """);
            ResearchFetch f = new ResearchFetch(l.findings(), settings(s, List.of("qat"), List.of(s.url("/blog/rss.xml"), s.url("/news/atom.xml"))), ARXIV_AND_FEEDS);
            List<ResearchFetch.Outcome> out = f.run(null, x -> {});
            assertThat(out).extracting(ResearchFetch.Outcome::error).containsOnlyNulls();
            // arXiv's paper, the blog's link to it (same arXiv id), the depth post and its syndicated copy (same title): 3 findings
            assertThat(l.findings().all()).extracting(Finding::title)
                    .containsExactly("Quantization Aware Training at Scale", "Depth recurrence, explained", "Value embeddings");
            Finding depth = l.findings().all().get(1);
            assertThat(depth.published()).isEqualTo("2026-01-10T10:00:00Z");
            assertThat(out.get(1).duplicates()).isEqualTo(1);
        }
    }

    @Test
    void aSourceThatFailsIsNamedAndTheOthersGoOn() throws Exception {
        try (SourceStandIn s = new SourceStandIn(); Ledger l = Ledger.open(tmp.resolve("l.db"))) {
            s.papers.add(paper("2401.00001", "Quantization Aware Training at Scale", "2026-01-02T00:00:00Z"));
            s.failFirst.put("/api/query", new ArrayList<>(List.of(429, 503))); // waited out, then retried
            s.bodies.put("/login.xml", "<!DOCTYPE html><html><body>Sign in</body></html>");
            s.bodies.put("/broken.xml", "<rss version=\"2.0\"><channel><item><title>x</title></channel>");
            s.bodies.put("/json", "<data>not a feed</data>");
            List<String> feeds = List.of(s.url("/login.xml"), s.url("/broken.xml"), s.url("/json"), "http://127.0.0.1:1/nothing-listens");
            ResearchFetch f = new ResearchFetch(l.findings(), settings(s, List.of("qat"), feeds), ARXIV_AND_FEEDS);
            List<ResearchFetch.Outcome> out = f.run(null, x -> {});
            assertThat(out.get(0).error()).isNull();
            assertThat(out.get(0).fresh()).isEqualTo(1);
            assertThat(out.get(1).error()).contains("answered an HTML page, not a feed");
            assertThat(out.get(2).error()).contains("XML that does not parse");
            assertThat(out.get(3).error()).contains("neither RSS 2.0 nor Atom");
            assertThat(out.get(4).error()).contains("cannot connect to 127.0.0.1");
            assertThat(l.findings().all()).hasSize(1);

            // a query arXiv refuses comes back as a feed with one "Error" entry: named, nothing stored
            List<ResearchFetch.Outcome> refused = new ResearchFetch(l.findings(), settings(s, List.of("BROKEN"), List.of()), List.of("arxiv")).run(null, x -> {});
            assertThat(refused).singleElement().satisfies(o -> assertThat(o.error()).contains("arXiv refused the query", "malformed query"));
            assertThat(l.findings().all()).hasSize(1);
        }
    }

    @Test
    void openReviewNotesAndAGitHubCommitLogAcrossPagesAreFindings() throws Exception {
        try (SourceStandIn s = new SourceStandIn(); Ledger l = Ledger.open(tmp.resolve("l.db"))) {
            s.papers.add(paper("2401.00009", "Muon at Scale", "2026-03-02T00:00:00Z"));
            ResearchSettings settings = new ResearchSettings(List.of("muon"), List.of(), null, List.of(), 3, s.url("/api/query"), 0, s.base(), "CADDIE_TEST_NO_S2_KEY", 0,
                    s.base(), 0, List.of("KellerJordan/modded-nanogpt"), s.base(), "CADDIE_TEST_NO_GITHUB_TOKEN");
            List<ResearchFetch.Outcome> out = new ResearchFetch(l.findings(), settings, List.of("openreview", "github")).run(null, x -> {});
            assertThat(out).extracting(ResearchFetch.Outcome::query, ResearchFetch.Outcome::fresh, ResearchFetch.Outcome::error)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("openreview:muon", 1, null),
                            org.assertj.core.groups.Tuple.tuple("github:KellerJordan/modded-nanogpt", 3, null));
            var byTitle = l.findings().all().stream().collect(java.util.stream.Collectors.toMap(f -> f.title(), f -> f));
            var note = byTitle.get("Muon at Scale");
            assertThat(note.source()).isEqualTo("openreview");
            assertThat(note.url()).startsWith("https://openreview.net/forum?id=or");
            assertThat(note.published()).isEqualTo("2026-03-02");
            assertThat(note.authors()).containsExactly("Ada Lovelace", "Alan Turing");
            var commit = byTitle.get("KellerJordan/modded-nanogpt: Record 0: faster attention");
            assertThat(commit.summary()).isEqualTo("Saves 2 seconds by fusing the kernel.");
            assertThat(commit.url()).isEqualTo("https://github.com/KellerJordan/modded-nanogpt/commit/abc0");
            assertThat(s.authorizations).as("two pages for max_results 3; no token set, none sent").containsExactly("null", "null");
            assertThat(new ResearchFetch(l.findings(), settings, List.of("github")).run(null, x -> {}).get(0).fresh()).as("a rerun stores nothing twice").isZero();
        }
    }
}
