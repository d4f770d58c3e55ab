package dev.caddie.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.task.ExecutorSpec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RunPod's REST API v2 (https://api.runpod.io/v2; v1 was retired on 2026-11-15), the only place its wire format
 * lives: a change in RunPod's API is a change here. Bearer key; errors are RFC 9457 problems (title, status,
 * detail, errors); 429 is retried after Retry-After and 5xx with backoff; a refused key is `auth`, a refused pod
 * (400 no capacity or a broken rule, 402 no balance, 403 no access to the pool, 422 a bad body) `provision_failed`,
 * each with RunPod's own detail.
 */
public final class RunPodApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRIES = 5;

    /** What Caddie reads of a pod: its state, price and where to ssh once it runs (null until then). */
    public record Pod(String id, String name, String status, double costPerHour, String sshHost, Integer sshPort, String sshUser, String createdAt) {
        public boolean running() { return "RUNNING".equals(status) && sshHost != null && sshPort != null; }

        public boolean gone() { return "EXITED".equals(status) || "ERROR".equals(status) || "TERMINATED".equals(status); }
    }

    private final String base;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();

    public RunPodApi(String baseUrl, String key) {
        this.base = baseUrl.replaceAll("/+$", "");
        this.key = key;
    }

    /** Rents a pod: on-demand (v2 has no spot), SSH on 22/tcp with the account's registered keys. */
    public Pod create(String name, ExecutorSpec.Pod spec, Map<String, String> env) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("name", name);
        body.put("image", spec.image());
        ObjectNode gpu = body.putObject("gpu");
        gpu.put("id", spec.gpuType());
        gpu.put("count", spec.gpuCount());
        body.put("cloud", spec.cloud());
        body.put("disk", spec.diskGb());
        body.putArray("ports").add("22/tcp");
        body.put("startSsh", true);
        ObjectNode e = body.putObject("env");
        env.forEach(e::put);
        return pod(send("POST", "/v2/pods", body.toString()));
    }

    /** The pod, or null when RunPod no longer knows it (terminated). */
    public Pod get(String id) throws IOException, InterruptedException {
        JsonNode n = send("GET", "/v2/pods/" + id, null);
        return n == null ? null : pod(n);
    }

    public List<Pod> list() throws IOException, InterruptedException {
        List<Pod> out = new ArrayList<>();
        JsonNode n = send("GET", "/v2/pods", null);
        if (n != null) for (JsonNode p : n.path("pods")) out.add(pod(p));
        return out;
    }

    /** Terminates (never only stops: a stopped pod still bills its storage); a pod already gone is fine. */
    public void terminate(String id) throws IOException, InterruptedException { send("DELETE", "/v2/pods/" + id, null); }

    private static Pod pod(JsonNode n) {
        JsonNode d = n.path("ssh").path("direct");
        boolean ssh = d.isObject() && d.hasNonNull("host");
        return new Pod(n.path("id").asText(), n.path("name").asText(), n.path("status").asText(), n.path("cost").asDouble(0),
                ssh ? d.path("host").asText() : null, ssh && d.has("port") ? d.path("port").asInt() : null,
                ssh ? d.path("username").asText("root") : null, n.path("createdAt").asText(null));
    }

    /** One call with its retries; null for 404 and 204. */
    private JsonNode send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Accept", "application/json");
        if (body != null) b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        else b.method(method, HttpRequest.BodyPublishers.noBody());
        HttpRequest req = b.build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> r;
            try {
                r = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt < TRIES) { Thread.sleep(1000L << Math.min(attempt - 1, 4)); continue; }
                throw new CannotStartException(RunStatus.UNREACHABLE, "RunPod's API at " + base + " did not answer: " + e.getMessage());
            }
            int code = r.statusCode();
            if (code == 204 || code == 404) return null;
            if (code >= 200 && code < 300) return r.body().isBlank() ? null : JSON.readTree(r.body());
            String said = problem(r.body());
            if (code == 429 && attempt < TRIES) {
                long wait = r.headers().firstValue("Retry-After").map(RunPodApi::seconds).orElse(2L << attempt);
                Thread.sleep(Math.min(wait, 120) * 1000);
                continue;
            }
            if (code >= 500 && attempt < TRIES) { Thread.sleep(1000L << Math.min(attempt - 1, 4)); continue; }
            String where = method + " " + path + " (" + code + ")";
            if (code == 401) throw new CannotStartException(RunStatus.AUTH, "RunPod refused the API key: " + said + " [" + where + "]");
            if (code == 429) throw new CannotStartException(RunStatus.UNREACHABLE, "RunPod kept rate-limiting after " + TRIES + " tries: " + said + " [" + where + "]");
            if (code >= 500) throw new CannotStartException(RunStatus.UNREACHABLE, "RunPod failed " + TRIES + " times: " + said + " [" + where + "]");
            throw new CannotStartException(RunStatus.PROVISION_FAILED, "RunPod refused: " + said + " [" + where + "]"
                    + (code == 402 ? "; add funds to the account" : code == 403 ? "; the key has no access to this GPU pool" : ""));
        }
    }

    private static long seconds(String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return 5;
        }
    }

    /** RunPod's own words from a problem body: its detail and each validation error. */
    private static String problem(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            StringBuilder s = new StringBuilder(n.path("detail").asText(n.path("title").asText(n.path("message").asText(body))));
            for (JsonNode e : n.path("errors")) s.append("; ").append(e.asText());
            return s.toString();
        } catch (IOException e) {
            return body.length() > 300 ? body.substring(0, 300) : body;
        }
    }
}
