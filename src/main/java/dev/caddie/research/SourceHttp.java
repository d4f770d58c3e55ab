package dev.caddie.research;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GET for the research sources, polite as their terms ask: a pause between requests to one source, 429s waited out
 * by their Retry-After, 5xx retried with exponential backoff, everything else an error naming the URL and status.
 */
final class SourceHttp {
    private static final int ATTEMPTS = 4;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String name;
    private final long intervalMs;
    private long last;

    SourceHttp(String name, long intervalMs) {
        this.name = name;
        this.intervalMs = intervalMs;
    }

    /** The body of a 200 answer. */
    String get(String url) throws IOException, InterruptedException { return get(url, null, null); }

    /** As above, with one header (an API key) when header is not null. */
    String get(String url, String header, String value) throws IOException, InterruptedException {
        return fetch(url, header == null ? java.util.Map.of() : java.util.Map.of(header, value)).body();
    }

    /** A 200 answer's body and headers (GitHub pages through its Link header). */
    record Answer(String body, java.net.http.HttpHeaders headers) {}

    synchronized Answer fetch(String url, java.util.Map<String, String> headers) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long wait = last + intervalMs - System.currentTimeMillis();
            if (wait > 0) Thread.sleep(wait);
            last = System.currentTimeMillis();
            HttpResponse<String> r;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).header("User-Agent", "caddie-research");
                headers.forEach(b::header);
                r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                throw new IOException(name + ": cannot connect to " + host(url) + " (" + e.getMessage() + ")");
            }
            int s = r.statusCode();
            if (s == 200) return new Answer(r.body(), r.headers());
            if ((s == 429 || s >= 500) && attempt < ATTEMPTS) {
                long backoff = s == 429 ? r.headers().firstValue("retry-after").map(v -> parseSeconds(v) * 1000).orElse(5000L) : 1000L << attempt;
                Thread.sleep(Math.min(backoff, 120_000));
                continue;
            }
            throw new IOException(name + ": " + url + " answered HTTP " + s + (attempt > 1 ? " after " + attempt + " tries" : "")
                    + (s == 401 || s == 403 ? " (the API key was refused, or one is needed)" : ""));
        }
    }

    private static long parseSeconds(String v) {
        try {
            return Math.max(0, Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            return 5; // an HTTP date: wait a little rather than parse it
        }
    }

    private static String host(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return url;
        }
    }
}
