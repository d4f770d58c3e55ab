package dev.caddie.research;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.Finding;
import dev.caddie.task.ResearchSettings;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository's commit log as findings (GET /repos/{owner}/{repo}/commits): a speedrun's repository records each
 * new trick as a commit. Pages follow the Link header's rel="next" up to [research] max_results; a token from
 * [research] github_token_env is sent when set (5,000 requests an hour instead of 60). The wire format lives here alone.
 */
final class GitHubCommitsSource implements Source {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
    private final ResearchSettings settings;
    private final SourceHttp http = new SourceHttp("GitHub", 0);
    private final String token;

    GitHubCommitsSource(ResearchSettings settings, String token) {
        this.settings = settings;
        this.token = token == null || token.isBlank() ? null : token;
    }

    @Override public String name() { return "github"; }

    @Override
    public List<Query> queries() { return settings.githubRepos().stream().map(r -> new Query("github:" + r, r)).toList(); }

    @Override
    public List<Finding> fetch(Query q) throws IOException, InterruptedException {
        Map<String, String> headers = new HashMap<>(Map.of("Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28"));
        if (token != null) headers.put("Authorization", "Bearer " + token);
        String url = settings.githubApi() + "/repos/" + q.text() + "/commits?per_page=" + Math.min(100, settings.maxResults())
                + (settings.since() == null ? "" : "&since=" + settings.since() + "T00:00:00Z");
        List<Finding> out = new ArrayList<>();
        while (url != null && out.size() < settings.maxResults()) {
            SourceHttp.Answer a = http.fetch(url, headers);
            JsonNode page;
            try {
                page = new ObjectMapper().readTree(a.body());
            } catch (IOException e) {
                throw new IOException("GitHub answered something that is not JSON for " + q.text());
            }
            if (page == null || !page.isArray()) throw new IOException("GitHub answered no commit list for " + q.text()
                    + (page != null && page.has("message") ? ": " + page.get("message").asText() : ""));
            for (JsonNode c : page) {
                if (out.size() >= settings.maxResults()) break;
                String sha = c.path("sha").asText(null), message = c.path("commit").path("message").asText("");
                if (sha == null || message.isBlank()) continue;
                String first = message.lines().findFirst().orElse("").strip();
                String rest = message.substring(Math.min(message.length(), message.indexOf('\n') < 0 ? message.length() : message.indexOf('\n'))).strip();
                JsonNode author = c.path("commit").path("author");
                out.add(new Finding(0, name(), q.text() + "@" + sha, c.path("html_url").asText(null), q.text() + ": " + first, rest.isEmpty() ? null : rest,
                        author.hasNonNull("name") ? List.of(author.get("name").asText()) : List.of(), author.path("date").asText(null), null, null, c.toString(), null));
            }
            Matcher m = NEXT.matcher(a.headers().firstValue("link").orElse(""));
            url = m.find() ? m.group(1) : null;
        }
        return out;
    }
}
