package dev.caddie.frontier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GitHub's REST API for listing pull requests, on loopback: `GET /repos/{owner}/{repo}/pulls?state=all&sort=updated
 * &direction=desc&per_page=N&page=P` with Bearer tokens, the Link header for the next page, and the rate-limit
 * answers GitHub gives (403 with x-ratelimit-remaining 0 and x-ratelimit-reset; 429 with Retry-After).
 */
final class GitHubStandIn implements AutoCloseable {
    record Pr(int number, String title, String state, String mergedAt, String updatedAt) {}

    final List<Pr> pulls = new ArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    /** Requests to answer with a spent rate limit (reset in resetSeconds) before answering normally. */
    volatile int limited;
    volatile long resetSeconds = 1;
    private final String token, owner, repo;
    private final HttpServer server;

    GitHubStandIn(String token, String owner, String repo) throws IOException {
        this.token = token;
        this.owner = owner;
        this.repo = repo;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        String path = x.getRequestURI().getPath();
        if (!("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
            send(x, 401, "{\"message\": \"Bad credentials\", \"documentation_url\": \"https://docs.github.com/rest\"}", Map.of());
            return;
        }
        if (!path.equals("/repos/" + owner + "/" + repo + "/pulls")) {
            send(x, 404, "{\"message\": \"Not Found\"}", Map.of());
            return;
        }
        if (limited > 0) {
            limited--;
            send(x, 403, "{\"message\": \"API rate limit exceeded\"}", Map.of("x-ratelimit-remaining", "0",
                    "x-ratelimit-reset", Long.toString(Instant.now().getEpochSecond() + resetSeconds)));
            return;
        }
        Map<String, String> q = new java.util.HashMap<>();
        for (String kv : x.getRequestURI().getQuery().split("&")) q.put(kv.split("=", 2)[0], kv.split("=", 2)[1]);
        int per = Integer.parseInt(q.getOrDefault("per_page", "30")), page = Integer.parseInt(q.getOrDefault("page", "1"));
        List<Pr> sorted = new ArrayList<>(pulls);
        sorted.sort(Comparator.comparing(Pr::updatedAt).reversed());
        List<Pr> slice = sorted.subList(Math.min(sorted.size(), (page - 1) * per), Math.min(sorted.size(), page * per));
        ArrayNode arr = new ObjectMapper().createArrayNode();
        for (Pr p : slice) {
            var o = arr.addObject().put("number", p.number()).put("title", p.title()).put("state", p.state()).put("updated_at", p.updatedAt())
                    .put("html_url", "https://github.com/" + owner + "/" + repo + "/pull/" + p.number());
            if (p.mergedAt() == null) o.putNull("merged_at");
            else o.put("merged_at", p.mergedAt());
            o.putObject("user").put("login", "user" + p.number());
        }
        Map<String, String> headers = new java.util.HashMap<>();
        if (page * per < sorted.size()) {
            String base = url() + path + "?state=all&sort=updated&direction=desc&per_page=" + per;
            headers.put("Link", "<" + base + "&page=" + (page + 1) + ">; rel=\"next\", <" + base + "&page=" + ((sorted.size() + per - 1) / per) + ">; rel=\"last\"");
        }
        send(x, 200, arr.toString(), headers);
    }

    private static void send(HttpExchange x, int status, String body, Map<String, String> headers) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void close() { server.stop(0); }
}
