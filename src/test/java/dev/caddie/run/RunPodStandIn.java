package dev.caddie.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RunPod's REST API v2 on loopback, for what cannot be reached from here: the pod endpoints with their documented
 * JSON (Pod, ListPodsResponse, RFC 9457 problems), Bearer auth, a pod's PROVISIONING → STARTING → RUNNING states
 * (one step per GET), 429 with Retry-After, and a pod's ssh.direct pointing at a real sshd, where its commands run.
 */
final class RunPodStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final String key;
    private final int sshPort;
    final Map<String, ObjectNode> pods = new ConcurrentHashMap<>();
    final List<JsonNode> created = new CopyOnWriteArrayList<>();
    final List<String> terminated = new CopyOnWriteArrayList<>();
    /** Answer this many next requests with 429. */
    final AtomicInteger rateLimitNext = new AtomicInteger();
    /** Pods stay PROVISIONING forever (a machine that never boots). */
    volatile boolean neverBoot;
    /** Creates answer 400, as RunPod does when no machine of that GPU type is free. */
    volatile boolean noCapacity;

    RunPodStandIn(String key, int sshPort) throws IOException {
        this.key = key;
        this.sshPort = sshPort;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/pods", this::handle);
        server.start();
    }

    String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!("Bearer " + key).equals(x.getRequestHeaders().getFirst("Authorization"))) {
                problem(x, 401, "Unauthorized", "invalid bearer token");
                return;
            }
            if (rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                x.getResponseHeaders().add("Retry-After", "1");
                problem(x, 429, "Too Many Requests", "rate limit exceeded for the minute window");
                return;
            }
            String path = x.getRequestURI().getPath();
            String id = path.length() > "/v2/pods/".length() ? path.substring("/v2/pods/".length()) : null;
            switch (x.getRequestMethod() + (id == null ? "" : " id")) {
                case "GET" -> {
                    ObjectNode list = JSON.createObjectNode();
                    var arr = list.putArray("pods");
                    pods.values().forEach(arr::add);
                    send(x, 200, list);
                }
                case "POST" -> create(x);
                case "GET id" -> {
                    ObjectNode p = pods.get(id);
                    if (p == null) { problem(x, 404, "Not Found", "pod not found"); return; }
                    advance(p);
                    send(x, 200, p);
                }
                case "DELETE id" -> {
                    if (pods.remove(id) == null) { problem(x, 404, "Not Found", "pod not found"); return; }
                    terminated.add(id);
                    x.sendResponseHeaders(204, -1);
                }
                default -> problem(x, 405, "Method Not Allowed", "The requested method is not allowed for this path.");
            }
        }
    }

    private void create(HttpExchange x) throws IOException {
        JsonNode body = JSON.readTree(x.getRequestBody());
        if (!body.hasNonNull("name") || !body.hasNonNull("image") || !body.path("gpu").hasNonNull("id")) {
            ObjectNode p = problemBody(422, "Unprocessable Entity", "Request validation failed.");
            p.putArray("errors").add("$: name, image and gpu.id are required");
            send(x, 422, p);
            return;
        }
        if (noCapacity) {
            problem(x, 400, "Bad Request", "There are no longer any instances available with the requested specifications. Please refresh and try again.");
            return;
        }
        created.add(body);
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        ObjectNode p = JSON.createObjectNode();
        p.put("id", id);
        p.put("name", body.path("name").asText());
        p.put("image", body.path("image").asText());
        p.put("status", "PROVISIONING");
        ObjectNode gpu = p.putObject("gpu");
        gpu.put("id", body.path("gpu").path("id").asText());
        gpu.put("count", body.path("gpu").path("count").asInt(1));
        p.put("cloud", body.path("cloud").asText("SECURE"));
        ObjectNode ssh = p.putObject("ssh");
        ObjectNode proxy = ssh.putObject("proxy");
        proxy.put("host", "ssh.runpod.io");
        proxy.put("port", 22);
        proxy.put("username", id + "-64411eb2");
        ssh.putNull("direct");
        p.put("cost", 21.52);
        p.put("createdAt", Instant.now().toString());
        p.putNull("startedAt");
        pods.put(id, p);
        send(x, 201, p);
    }

    /** One lifecycle step per poll, as an asynchronous provisioning looks from outside. */
    private void advance(ObjectNode p) {
        if (neverBoot) return;
        switch (p.path("status").asText()) {
            case "PROVISIONING" -> p.put("status", "STARTING");
            case "STARTING" -> {
                p.put("status", "RUNNING");
                p.put("startedAt", Instant.now().toString());
                ObjectNode direct = ((ObjectNode) p.path("ssh")).putObject("direct");
                direct.put("host", "127.0.0.1");
                direct.put("port", sshPort);
                direct.put("username", System.getProperty("user.name"));
                direct.put("command", "ssh " + System.getProperty("user.name") + "@127.0.0.1 -p " + sshPort);
            }
            default -> {}
        }
    }

    private static ObjectNode problemBody(int status, String title, String detail) {
        ObjectNode n = JSON.createObjectNode();
        n.put("title", title);
        n.put("status", status);
        n.put("detail", detail);
        return n;
    }

    private static void problem(HttpExchange x, int status, String title, String detail) throws IOException {
        byte[] b = problemBody(status, title, detail).toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/problem+json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    private static void send(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    @Override
    public void close() { server.stop(0); }
}
