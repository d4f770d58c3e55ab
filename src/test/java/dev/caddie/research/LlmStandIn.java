package dev.caddie.research;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OpenAI-compatible chat-completions server on loopback: POST /v1/chat/completions answers the queued replies in
 * order (a JSON completion with usage, or, when the request asks to stream, server-sent events of delta chunks, a
 * usage chunk and [DONE]); a reply can instead be an HTTP status (429 with Retry-After, 500). Requests are kept.
 */
public final class LlmStandIn implements AutoCloseable {
    /** One reply: content to answer, or a status to fail with. */
    public record Reply(int status, String content) {
        public static Reply ok(String content) { return new Reply(200, content); }
        public static Reply fail(int status) { return new Reply(status, null); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    public final ConcurrentLinkedDeque<Reply> replies = new ConcurrentLinkedDeque<>();
    public final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public LlmStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    public String baseUrl() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1"; }

    private void handle(HttpExchange x) throws IOException {
        JsonNode req = JSON.readTree(x.getRequestBody());
        requests.add(req);
        authorizations.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
        Reply r = replies.pollFirst();
        if (r == null) r = new Reply(500, null);
        if (r.status() != 200) {
            if (r.status() == 429) x.getResponseHeaders().add("Retry-After", "1");
            byte[] b = "{\"error\":{\"message\":\"stand-in says no\"}}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(r.status(), b.length);
            try (OutputStream o = x.getResponseBody()) { o.write(b); }
            return;
        }
        int prompt = req.toString().length() / 4, completion = r.content().length() / 4;
        if (req.path("stream").asBoolean(false)) {
            x.getResponseHeaders().add("Content-Type", "text/event-stream");
            x.sendResponseHeaders(200, 0);
            try (OutputStream o = x.getResponseBody()) {
                String c = r.content();
                for (int i = 0; i < c.length(); i += 7) {
                    var chunk = JSON.createObjectNode().put("id", "c1").put("object", "chat.completion.chunk");
                    chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("content", c.substring(i, Math.min(c.length(), i + 7)));
                    o.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                }
                var usage = JSON.createObjectNode().put("id", "c1");
                usage.putArray("choices");
                usage.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion);
                o.write((": keep-alive\n\ndata: " + usage + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        var body = JSON.createObjectNode().put("id", "c1").put("object", "chat.completion").put("model", req.path("model").asText());
        body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("message").put("role", "assistant").put("content", r.content());
        body.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, b.length);
        try (OutputStream o = x.getResponseBody()) { o.write(b); }
    }

    @Override
    public void close() { server.stop(0); }
}
