package dev.caddie.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Message;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The roles' mailbox: messages live in the ledger; agents that only speak files get four JSONL files
 * in their worktree, imported and exported by Caddie. One JSON object per line:
 * <pre>
 *   research_queue.jsonl    {"topic": "...", "detail": "..."}                      a research request
 *   research_results.jsonl  {"request_id": 3, "finding": "...", "source": "..."}   answers request 3
 *   research_ack.jsonl      {"id": 7}                                             the agent has read message 7
 *   promotion_queue.jsonl   {"candidate": 12, "reason": "..."}                     asks to promote candidate 12
 * </pre>
 * Posting is idempotent (a request is the same request when its topic is, a result when its finding is),
 * a result closes its request, and a malformed line is reported with file:line and skipped: the rest of
 * the file is imported.
 */
public final class Mailbox {
    public static final String QUEUE = "research_queue.jsonl", RESULTS = "research_results.jsonl", ACKS = "research_ack.jsonl", PROMOTIONS = "promotion_queue.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What an import did: messages new and already known, acknowledgements, and each line it skipped with why. */
    public record Imported(int posted, int duplicates, int acked, List<String> problems) {}

    private final Ledger ledger;

    public Mailbox(Ledger ledger) { this.ledger = ledger; }

    /** Posts one message from its JSON body (validated for its kind). */
    public Message.Posted post(String kind, String sender, JsonNode body) {
        return switch (kind) {
            case "research_request" -> ledger.postMessage(kind, sender, body.toString(), "research_request:" + norm(required(body, "topic")), null);
            case "research_result" -> {
                String finding = required(body, "finding");
                Long request = body.hasNonNull("request_id") ? requestId(body) : openRequestFor(body.path("topic").asText(null));
                yield ledger.postMessage(kind, sender, body.toString(), "research_result:" + norm(finding), request);
            }
            case "finding" -> ledger.postMessage(kind, sender, body.toString(), "finding:" + norm(required(body, "finding")), null);
            case "promotion_request" -> {
                if (!body.path("candidate").isIntegralNumber() || !body.path("candidate").canConvertToLong())
                    throw new IllegalArgumentException("\"candidate\" must be a candidate id (a whole number)");
                if (ledger.candidate(body.get("candidate").asLong()).isEmpty())
                    throw new IllegalArgumentException("no candidate " + body.get("candidate").asLong() + " in the ledger (`caddie ledger list` shows them)");
                yield ledger.postMessage(kind, sender, body.toString(), "promotion_request:" + body.get("candidate").asLong(), null);
            }
            default -> throw new IllegalArgumentException("message kind '" + kind + "' is not one; accepted: " + Message.KINDS);
        };
    }

    /** Reads the agent's files in {@code dir}; nothing in a file is lost because one line is bad. */
    public Imported importFrom(Path dir, String sender, String consumer) throws IOException {
        if (!Files.isDirectory(dir))
            throw new IllegalArgumentException(dir + ": " + (Files.exists(dir) ? "is a file" : "no such folder")
                    + "; give the folder an agent writes its " + QUEUE + ", " + RESULTS + ", " + PROMOTIONS + " and " + ACKS + " into");
        if (sender == null || sender.isBlank()) throw new IllegalArgumentException("--from must name the agent the files belong to, got an empty name");
        int posted = 0, dup = 0, acked = 0;
        List<String> problems = new ArrayList<>();
        String[][] files = {{QUEUE, "research_request"}, {RESULTS, "research_result"}, {PROMOTIONS, "promotion_request"}};
        for (String[] f : files) {
            for (Line l : lines(dir.resolve(f[0]), problems)) {
                try {
                    Message.Posted p = post(f[1], sender, l.json);
                    if (p.duplicate()) dup++;
                    else posted++;
                } catch (IllegalArgumentException e) {
                    problems.add(l.where + ": " + e.getMessage() + "; skipped");
                }
            }
        }
        for (Line l : lines(dir.resolve(ACKS), problems)) {
            if (!l.json.path("id").canConvertToLong()) {
                problems.add(l.where + ": \"id\" must be a message id (a whole number); skipped");
                continue;
            }
            try {
                if (ledger.ack(l.json.get("id").asLong(), l.json.path("consumer").asText(consumer))) acked++;
            } catch (IllegalArgumentException e) {
                problems.add(l.where + ": " + e.getMessage() + "; skipped");
            }
        }
        return new Imported(posted, dup, acked, problems);
    }

    /** Writes the ledger's messages as the agent's files (requests with their state, results with their request). */
    public void exportTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder queue = new StringBuilder(), results = new StringBuilder(), promotions = new StringBuilder(), acks = new StringBuilder();
        for (Message m : ledger.messages(null)) {
            ObjectNode o = (ObjectNode) JSON.readTree(m.body());
            o.put("id", m.id()).put("from", m.sender()).put("state", m.state());
            if (m.requestId() != null) o.put("request_id", m.requestId());
            String line = JSON.writeValueAsString(o) + "\n";
            switch (m.kind()) {
                case "research_request" -> queue.append(line);
                case "research_result", "finding" -> results.append(line);
                case "promotion_request" -> promotions.append(line);
                default -> { }
            }
            for (String who : m.ackedBy()) acks.append(JSON.writeValueAsString(JSON.createObjectNode().put("id", m.id()).put("consumer", who))).append("\n");
        }
        write(dir.resolve(QUEUE), queue);
        write(dir.resolve(RESULTS), results);
        write(dir.resolve(PROMOTIONS), promotions);
        write(dir.resolve(ACKS), acks);
    }

    private static void write(Path f, CharSequence text) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private record Line(String where, JsonNode json) {}

    /** A message is a request, a finding or an acknowledgement: far below this; more is a runaway agent. */
    static final int MAX_LINE = 1 << 20;

    private static List<Line> lines(Path file, List<String> problems) throws IOException {
        List<Line> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) return out;
        // Decoded leniently, line by line: one line of bad bytes is that line's problem, not the whole import's.
        List<String> text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < text.size(); i++) {
            String t = text.get(i).strip();
            if (t.isEmpty()) continue;
            String where = file + ":" + (i + 1);
            if (t.indexOf('\uFFFD') >= 0) { problems.add(where + ": not UTF-8 text; skipped"); continue; }
            if (t.length() > MAX_LINE) { problems.add(where + ": " + t.length() + " characters, over the " + MAX_LINE + " a message may hold; skipped"); continue; }
            try {
                JsonNode j = JSON.readTree(t);
                if (j == null || !j.isObject()) problems.add(where + ": not a JSON object; skipped");
                else out.add(new Line(where, j));
            } catch (IOException e) {
                problems.add(where + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + "); skipped");
            }
        }
        return out;
    }

    private Long requestId(JsonNode body) {
        if (!body.get("request_id").canConvertToLong()) throw new IllegalArgumentException("\"request_id\" must be a message id (a whole number)");
        return body.get("request_id").asLong();
    }

    private Long openRequestFor(String topic) {
        if (topic == null) return null;
        for (Message m : ledger.messages("research_request")) {
            try {
                if (m.state().equals(Message.OPEN) && norm(JSON.readTree(m.body()).path("topic").asText()).equals(norm(topic))) return m.id();
            } catch (IOException ignored) {
                // bodies are written by post(), always JSON
            }
        }
        return null;
    }

    private static String required(JsonNode body, String field) {
        if (!body.hasNonNull(field) || body.get(field).asText().isBlank()) throw new IllegalArgumentException("missing \"" + field + "\" (a non-empty string)");
        if (!body.get(field).isTextual()) throw new IllegalArgumentException("\"" + field + "\" must be a string, got " + body.get(field));
        return body.get(field).asText();
    }

    private static String norm(String s) { return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip(); }
}
