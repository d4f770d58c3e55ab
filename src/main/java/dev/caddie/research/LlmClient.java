package dev.caddie.research;

import dev.caddie.Text;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.task.LlmSettings;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The OpenAI chat-completions wire format, and only it: POST {base_url}/chat/completions with a model and messages,
 * the answer's first choice and its token usage back, streamed (server-sent events, "data: {...}" chunks ending in
 * "data: [DONE]") or not. A 429 is waited out by its Retry-After, a 5xx retried with backoff; anything else is an
 * error that says what the server answered. Works with OpenAI, Anthropic's OpenAI-compatible endpoint, vLLM,
 * llama.cpp's server and Ollama.
 */
public final class LlmClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 4;

    /** One message of the conversation: role is system, user or assistant. */
    public record Message(String role, String content) {}

    /** What one call returned and cost. Tokens are the server's counts (0 when it sent none). */
    public record Answer(String content, int promptTokens, int completionTokens, double costUsd) {}

    private final LlmSettings settings;
    private final String apiKey;
    private final HttpClient http;

    public LlmClient(LlmSettings settings, java.util.Map<String, String> env) {
        if (!settings.configured()) throw new IllegalArgumentException("no [llm] in caddie.toml: give base_url and model (any OpenAI-compatible server)");
        this.settings = settings;
        if (settings.apiKeyEnv() != null) {
            String k = env.get(settings.apiKeyEnv());
            if (k == null || k.isBlank())
                throw new IllegalArgumentException("[llm] api_key_env names " + settings.apiKeyEnv() + ", which is not set in the environment");
            this.apiKey = k;
        } else this.apiKey = null;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    }

    public Answer chat(List<Message> messages) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("model", settings.model()).put("temperature", 0);
        var arr = body.putArray("messages");
        for (Message m : messages) arr.addObject().put("role", m.role()).put("content", m.content());
        if (settings.stream()) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true);
        }
        String url = settings.baseUrl() + "/chat/completions";
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(settings.timeoutSeconds()))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
            if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (java.net.ConnectException e) {
                throw new IOException("[llm] base_url " + settings.baseUrl() + " refuses connections (is the server running?)");
            } catch (java.net.http.HttpTimeoutException e) {
                throw new IOException("[llm] " + url + " did not answer within " + settings.timeoutSeconds() + " s ([llm] timeout_seconds)");
            }
            int s = r.statusCode();
            if (s == 200) return settings.stream() ? readStream(r.body()) : readWhole(r.body());
            String err;
            try (InputStream in = r.body()) {
                err = new String(in.readNBytes(2000), StandardCharsets.UTF_8).strip();
            }
            if ((s == 429 || s >= 500) && attempt < ATTEMPTS) {
                long wait = s == 429 ? r.headers().firstValue("retry-after").map(LlmClient::seconds).orElse(5L) * 1000 : 1000L << attempt;
                Thread.sleep(Math.min(wait, 60_000));
                continue;
            }
            throw new IOException("[llm] " + url + " answered HTTP " + s + (attempt > 1 ? " after " + attempt + " tries" : "")
                    + (s == 401 || s == 403 ? " (the key in " + settings.apiKeyEnv() + " was refused)" : "") + (err.isEmpty() ? "" : ": " + Text.oneLine(err, 300)));
        }
    }

    private Answer readWhole(InputStream in) throws IOException {
        String text;
        try (in) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonNode j;
        try {
            j = JSON.readTree(text);
        } catch (IOException e) {
            throw new IOException("[llm] the server's answer is not JSON: " + Text.oneLine(text, 300));
        }
        JsonNode content = j.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) throw new IOException("[llm] the answer has no choices[0].message.content: " + Text.oneLine(text, 300));
        return answer(content.asText(), j.path("usage"));
    }

    private Answer readStream(InputStream in) throws IOException {
        StringBuilder content = new StringBuilder();
        JsonNode usage = JSON.missingNode();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("data:")) continue; // comments, event names and blank separators
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) break;
                JsonNode chunk;
                try {
                    chunk = JSON.readTree(data);
                } catch (IOException e) {
                    throw new IOException("[llm] a streamed chunk is not JSON: " + Text.oneLine(data, 300));
                }
                JsonNode delta = chunk.path("choices").path(0).path("delta").path("content");
                if (delta.isTextual()) content.append(delta.asText());
                if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
            }
        }
        return answer(content.toString(), usage);
    }

    private Answer answer(String content, JsonNode usage) {
        int in = usage.path("prompt_tokens").asInt(0), out = usage.path("completion_tokens").asInt(0);
        return new Answer(content, in, out, (in * settings.inputPerMillion() + out * settings.outputPerMillion()) / 1e6);
    }

    private static long seconds(String v) {
        try {
            return Math.max(0, Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            return 5;
        }
    }

}
