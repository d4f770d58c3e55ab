package dev.caddie.research;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.Finding;
import dev.caddie.task.ResearchSettings;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenReview's API v2 full-text search (GET /notes/search?term=...&source=forum): conference submissions, each a
 * note whose content fields are wrapped as {"value": ...}. One query per keyword; public reads need no token; a
 * second between requests. The wire format lives here alone.
 */
final class OpenReviewSource implements Source {
    private final ResearchSettings settings;
    private final SourceHttp http;

    OpenReviewSource(ResearchSettings settings) {
        this.settings = settings;
        this.http = new SourceHttp("OpenReview", settings.openreviewIntervalMs());
    }

    @Override public String name() { return "openreview"; }

    @Override
    public List<Query> queries() {
        if (settings.openreviewApi() == null) return List.of();
        return settings.keywords().stream().map(k -> new Query("openreview:" + k, k)).toList();
    }

    @Override
    public List<Finding> fetch(Query q) throws IOException, InterruptedException {
        String url = settings.openreviewApi() + "/notes/search?term=" + URLEncoder.encode(q.text(), StandardCharsets.UTF_8)
                + "&content=all&group=all&source=forum&limit=" + Math.min(1000, settings.maxResults());
        String body = http.get(url);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw new IOException("OpenReview answered something that is not JSON" + (body.stripLeading().startsWith("<") ? " (an HTML page)" : ""));
        }
        if (root == null || !root.path("notes").isArray())
            throw new IOException("OpenReview answered JSON without a notes list" + (root != null && root.has("message") ? ": " + root.get("message").asText() : ""));
        List<Finding> out = new ArrayList<>();
        for (JsonNode n : root.get("notes")) {
            JsonNode c = n.path("content");
            String id = n.path("id").asText(null), title = value(c, "title");
            if (id == null || title == null || title.isBlank()) continue;
            List<String> authors = new ArrayList<>();
            for (JsonNode a : c.path("authors").path("value")) authors.add(a.asText());
            long ms = n.hasNonNull("pdate") ? n.get("pdate").asLong() : n.path("cdate").asLong(0);
            String date = ms > 0 ? Instant.ofEpochMilli(ms).toString().substring(0, 10) : null;
            String forum = n.path("forum").asText(id);
            out.add(new Finding(0, name(), id, "https://openreview.net/forum?id=" + forum, title.strip(), value(c, "abstract"), authors, date, null, null,
                    n.toString(), null));
        }
        out.sort((a, b) -> String.valueOf(b.published()).compareTo(String.valueOf(a.published())));
        return out;
    }

    /** v2 wraps every content field: {"title": {"value": "..."}}; v1 notes had the bare string. */
    private static String value(JsonNode content, String field) {
        JsonNode f = content.path(field);
        if (f.isTextual()) return f.asText();
        return f.path("value").isTextual() ? f.path("value").asText() : null;
    }
}
