package dev.caddie.frontier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one thing git does not say about a pull request: its title and whether it is open, closed or merged. Read
 * from GitHub's REST API (list pulls, newest update first, 100 a page, pages by the Link header) only when a token
 * is configured; everything else the frontier needs comes from git. The wire format lives here alone.
 */
public final class GitHubPulls {
    public static final String API = "https://api.github.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
    private static final Pattern GITHUB_REPO = Pattern.compile("github\\.com[/:]([^/]+)/([^/]+?)(\\.git)?/?$");
    /** A rate-limit wait longer than this stops the listing instead (what was read is kept; the next sync goes on). */
    static final long MAX_WAIT_MS = Long.getLong("caddie.github.maxWaitMs", 60_000);

    /** What the frontier keeps of a PR. */
    public record Pull(int number, String title, String state, String mergedAt, String author, String updatedAt, String url) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String api, owner, repo, token;

    public GitHubPulls(String api, String owner, String repo, String token) {
        this.api = api.replaceAll("/+$", "");
        this.owner = owner;
        this.repo = repo;
        this.token = token;
    }

    /** OWNER/REPO of a github.com URL, if it is one. */
    public static Optional<String[]> repoOf(String source) {
        Matcher m = GITHUB_REPO.matcher(source == null ? "" : source.strip());
        return m.find() ? Optional.of(new String[]{m.group(1), m.group(2)}) : Optional.empty();
    }

    /**
     * PRs updated after since (an ISO instant; null for all), newest update first: the listing stops at the first
     * older one, so a later sync reads a page or two.
     */
    public List<Pull> updatedSince(String since) throws IOException, InterruptedException {
        List<Pull> out = new ArrayList<>();
        String url = api + "/repos/" + owner + "/" + repo + "/pulls?state=all&sort=updated&direction=desc&per_page=100";
        while (url != null) {
            HttpResponse<String> r = get(url);
            JsonNode page = JSON.readTree(r.body());
            if (!page.isArray()) throw new IOException("GitHub answered " + url + " with something that is not a list of pull requests");
            for (JsonNode p : page) {
                Pull pull = new Pull(p.path("number").asInt(), p.path("title").asText(""), p.path("state").asText(""),
                        p.hasNonNull("merged_at") ? p.get("merged_at").asText() : null, p.path("user").path("login").asText(null),
                        p.path("updated_at").asText(null), p.path("html_url").asText(null));
                if (since != null && pull.updatedAt() != null && pull.updatedAt().compareTo(since) <= 0) return out;
                out.add(pull);
            }
            Matcher next = NEXT.matcher(r.headers().firstValue("link").orElse(""));
            url = next.find() ? next.group(1) : null;
        }
        return out;
    }

    /** Reads the PRs updated since the last listing into the index; returns how many. */
    public int refresh(dev.caddie.ledger.FrontierStore store) throws IOException, InterruptedException {
        List<Pull> pulls = updatedSince(store.pullsUpdatedUntil());
        List<Object[]> rows = new ArrayList<>();
        for (Pull p : pulls) rows.add(new Object[]{p.number(), p.title(), p.state(), p.mergedAt(), p.author(), p.updatedAt(), p.url()});
        store.putPulls(rows);
        return pulls.size();
    }

    /** One GET, with GitHub's rate limits waited out when the wait is short, and server errors retried with backoff. */
    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28")
                    .header("Authorization", "Bearer " + token).header("User-Agent", "caddie").GET().build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            int s = r.statusCode();
            if (s == 200) return r;
            if (s == 401) throw new IOException("GitHub refused the token (401 Bad credentials); check the variable that holds it");
            boolean limited = s == 429 || s == 403 && r.headers().firstValue("x-ratelimit-remaining").map("0"::equals).orElse(false);
            if (limited) {
                long waitMs = r.headers().firstValue("retry-after").map(v -> Long.parseLong(v.strip()) * 1000)
                        .orElseGet(() -> r.headers().firstValue("x-ratelimit-reset")
                                .map(v -> Long.parseLong(v.strip()) * 1000 - Instant.now().toEpochMilli()).orElse(60_000L));
                if (waitMs > MAX_WAIT_MS || attempt >= 3)
                    throw new IOException("GitHub's rate limit is spent (HTTP " + s + "); it resets in " + Math.max(0, waitMs / 1000)
                            + " s: sync again then (what git says about every PR is indexed already)");
                Thread.sleep(Math.max(0, waitMs));
                continue;
            }
            if (s >= 500 && attempt < 3) {
                Thread.sleep(1000L << attempt);
                continue;
            }
            throw new IOException("GitHub answered HTTP " + s + " for " + url + ": " + r.body().lines().findFirst().orElse(""));
        }
    }
}
