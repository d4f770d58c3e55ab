package dev.caddie.research;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Research sources on loopback: arXiv's API answering Atom 1.0 with its namespaces (and its error feed), and feeds
 * at paths, each answer settable; a path can be told to fail first (429 with Retry-After, 503).
 */
public final class SourceStandIn implements AutoCloseable {
    /** One arXiv entry as the API writes it. */
    public record Paper(String id, String title, String summary, String published, List<String> authors, String doi) {}

    public final List<Paper> papers = new CopyOnWriteArrayList<>();
    public final Map<String, String> bodies = new ConcurrentHashMap<>();
    final Map<String, List<Integer>> failFirst = new ConcurrentHashMap<>();
    public final List<String> queries = new CopyOnWriteArrayList<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public SourceStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL, for APIs whose paths the client builds. */
    public String base() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    public String url(String path) { return "http://127.0.0.1:" + server.getAddress().getPort() + path; }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        List<Integer> fail = failFirst.get(path);
        if (fail != null && !fail.isEmpty()) {
            int status = fail.remove(0);
            if (status == 429) x.getResponseHeaders().add("Retry-After", "1");
            send(x, status, "slow down", "text/plain");
            return;
        }
        if (path.equals("/api/query")) {
            String q = URLDecoder.decode(x.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
            queries.add(q);
            if (q.contains("BROKEN")) {
                send(x, 200, atom(List.of(new Paper("http://arxiv.org/api/errors#incorrect_id_format", "Error", "malformed query", "2026-01-01T00:00:00Z", List.of(), null))),
                        "application/atom+xml");
                return;
            }
            List<Paper> sorted = new ArrayList<>(papers);
            sorted.sort((a, b) -> b.published().compareTo(a.published()));
            send(x, 200, atom(sorted), "application/atom+xml");
            return;
        }
        if (path.equals("/graph/v1/paper/search")) {
            String q = URLDecoder.decode(x.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
            queries.add(q);
            if (!q.contains("fields=")) {
                send(x, 400, "{\"error\": \"fields required\"}", "application/json");
                return;
            }
            var arr = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
            // paged as the Graph API pages: offset and limit in, "next" (the next offset) out while more remain
            int offset = intParam(q, "offset", 0), limit = intParam(q, "limit", 100);
            List<Paper> page = papers.subList(Math.min(offset, papers.size()), Math.min(papers.size(), offset + limit));
            for (Paper p : page) {
                String arxiv = p.id().replaceAll(".*/abs/", "").replaceAll("v\\d+$", "");
                var o = arr.addObject().put("paperId", Integer.toHexString(p.id().hashCode())).put("title", p.title()).put("abstract", p.summary())
                        .put("url", "https://www.semanticscholar.org/paper/" + Integer.toHexString(p.id().hashCode())).put("publicationDate", p.published().substring(0, 10))
                        .put("year", Integer.parseInt(p.published().substring(0, 4)));
                var ext = o.putObject("externalIds").put("ArXiv", arxiv);
                if (p.doi() != null) ext.put("DOI", p.doi());
                var authors = o.putArray("authors");
                for (String a : p.authors()) authors.addObject().put("authorId", "1").put("name", a);
            }
            var root = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("total", papers.size()).put("offset", offset);
            if (offset + limit < papers.size()) root.put("next", offset + limit);
            root.set("data", arr);
            send(x, 200, root.toString(), "application/json");
            return;
        }
        if (path.equals("/notes/search")) {
            // OpenReview API v2: every content field wrapped as {"value": ...}, dates in epoch milliseconds
            queries.add(URLDecoder.decode(x.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
            var m = new com.fasterxml.jackson.databind.ObjectMapper();
            var notes = m.createArrayNode();
            for (Paper p : papers) {
                var n = notes.addObject().put("id", "or" + Math.abs(p.id().hashCode())).put("forum", "or" + Math.abs(p.id().hashCode()))
                        .put("cdate", java.time.Instant.parse(p.published()).toEpochMilli()).put("pdate", java.time.Instant.parse(p.published()).toEpochMilli());
                n.putArray("invitations").add("ICLR.cc/2026/Conference/-/Submission");
                var c = n.putObject("content");
                c.putObject("title").put("value", p.title());
                c.putObject("abstract").put("value", p.summary());
                var authors = c.putObject("authors").putArray("value");
                p.authors().forEach(authors::add);
                c.putObject("venueid").put("value", "ICLR.cc/2026/Conference");
            }
            var root = m.createObjectNode().put("count", papers.size());
            root.set("notes", notes);
            send(x, 200, root.toString(), "application/json");
            return;
        }
        if (path.matches("/repos/[^/]+/[^/]+/commits")) {
            // GitHub REST: a page of commits, the next page in the Link header
            authorizations.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            String q = x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
            int page = q.contains("page=2") ? 2 : 1;
            var arr = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
            for (int i = 0; i < 2; i++) {
                int k = (page - 1) * 2 + i;
                var c = arr.addObject().put("sha", "abc" + k).put("html_url", "https://github.com" + path.replace("/repos", "").replace("/commits", "/commit/abc" + k));
                var commit = c.putObject("commit").put("message", "Record " + k + ": faster attention\n\nSaves 2 seconds by fusing the kernel.");
                commit.putObject("author").put("name", "K. Jordan").put("date", "2026-10-0" + (9 - k) + "T00:00:00Z");
            }
            if (page == 1) x.getResponseHeaders().add("Link", "<" + base() + path + "?per_page=2&page=2>; rel=\"next\", <" + base() + path + "?page=2>; rel=\"last\"");
            send(x, 200, arr.toString(), "application/json");
            return;
        }
        String body = bodies.get(path);
        if (body == null) send(x, 404, "not found", "text/plain");
        else send(x, 200, body, body.startsWith("<") && !body.toLowerCase().startsWith("<!doctype html") ? "application/xml" : "text/html");
    }

    private static int intParam(String query, String name, int dflt) {
        var m = java.util.regex.Pattern.compile("(?:^|&)" + name + "=(\\d+)").matcher(query);
        return m.find() ? Integer.parseInt(m.group(1)) : dflt;
    }

    static String atom(List<Paper> papers) {
        StringBuilder b = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
                  <title type="html">ArXiv Query</title>
                  <opensearch:totalResults>%d</opensearch:totalResults>
                  <opensearch:startIndex>0</opensearch:startIndex>
                """.formatted(papers.size()));
        for (Paper p : papers) {
            b.append("  <entry>\n    <id>").append(p.id()).append("</id>\n    <updated>").append(p.published()).append("</updated>\n    <published>")
                    .append(p.published()).append("</published>\n    <title>").append(p.title()).append("</title>\n    <summary>  ").append(p.summary())
                    .append("\n    </summary>\n");
            for (String a : p.authors()) b.append("    <author><name>").append(a).append("</name><arxiv:affiliation>Lab</arxiv:affiliation></author>\n");
            if (p.doi() != null) b.append("    <arxiv:doi>").append(p.doi()).append("</arxiv:doi>\n");
            b.append("    <link href=\"").append(p.id()).append("\" rel=\"alternate\" type=\"text/html\"/>\n    <link title=\"pdf\" href=\"")
                    .append(p.id().replace("/abs/", "/pdf/")).append("\" rel=\"related\" type=\"application/pdf\"/>\n")
                    .append("    <arxiv:primary_category term=\"cs.LG\" scheme=\"http://arxiv.org/schemas/atom\"/>\n    <category term=\"cs.LG\"/>\n  </entry>\n");
        }
        return b.append("</feed>\n").toString();
    }

    private static void send(HttpExchange x, int status, String body, String type) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void close() { server.stop(0); }
}
