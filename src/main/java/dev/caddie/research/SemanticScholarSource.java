package dev.caddie.research;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.Finding;
import dev.caddie.task.ResearchSettings;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Semantic Scholar's Graph API paper search: one query per keyword, the newest publications first, a request a
 * second (its limit with a key; the shared pool without one is slower still). An x-api-key header is sent when
 * the key variable is set. The wire format lives here alone.
 */
final class SemanticScholarSource implements Source {
    static final String FIELDS = "title,abstract,url,publicationDate,year,externalIds,authors,venue,citationCount";
    private final ResearchSettings settings;
    private final SourceHttp http;
    private final String key;

    SemanticScholarSource(ResearchSettings settings, String apiKey) {
        this.settings = settings;
        this.key = apiKey;
        this.http = new SourceHttp("Semantic Scholar", settings.scholarIntervalMs());
    }

    @Override public String name() { return "scholar"; }

    @Override
    public List<Query> queries() { return settings.keywords().stream().map(k -> new Query("scholar:" + k, k)).toList(); }

    @Override
    public List<Finding> fetch(Query q) throws IOException, InterruptedException {
        List<Finding> out = new ArrayList<>();
        // the search answers at most 100 a page; "next" is the offset of the following page while more remain
        for (int offset = 0; out.size() < settings.maxResults(); ) {
            int limit = Math.min(100, settings.maxResults() - out.size());
            String url = settings.scholarApi() + "/graph/v1/paper/search?query=" + URLEncoder.encode(q.text(), StandardCharsets.UTF_8)
                    + "&fields=" + FIELDS + "&offset=" + offset + "&limit=" + limit
                    + (settings.since() == null ? "" : "&publicationDateOrYear=" + settings.since() + ":");
            String body = http.get(url, key == null ? null : "x-api-key", key);
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new IOException("Semantic Scholar answered something that is not JSON" + (body.stripLeading().startsWith("<") ? " (an HTML page)" : ""));
            }
            if (root == null || !root.has("data") || !root.get("data").isArray())
                throw new IOException("Semantic Scholar answered JSON without a data list" + (root != null && root.has("message") ? ": " + root.get("message").asText() : ""));
            for (JsonNode p : root.get("data")) {
                String id = p.path("paperId").asText(null), title = p.path("title").asText(null);
                if (id == null || title == null || title.isBlank()) continue;
                List<String> authors = new ArrayList<>();
                for (JsonNode a : p.path("authors")) if (a.hasNonNull("name")) authors.add(a.get("name").asText());
                JsonNode ext = p.path("externalIds");
                String date = p.hasNonNull("publicationDate") ? p.get("publicationDate").asText() : p.hasNonNull("year") ? p.get("year").asText() : null;
                out.add(new Finding(0, name(), id, p.path("url").asText(null), title.strip(), p.hasNonNull("abstract") ? p.get("abstract").asText() : null,
                        authors, date, ext.hasNonNull("ArXiv") ? ext.get("ArXiv").asText() : null, ext.hasNonNull("DOI") ? ext.get("DOI").asText() : null,
                        p.toString(), null));
            }
            if (!root.path("next").canConvertToInt() || root.get("data").isEmpty()) break;
            offset = root.get("next").asInt();
        }
        out.sort((a, b) -> String.valueOf(b.published()).compareTo(String.valueOf(a.published())));
        return out;
    }
}
