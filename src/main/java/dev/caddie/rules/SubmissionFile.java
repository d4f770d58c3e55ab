package dev.caddie.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A record's submission.json as the challenge's records write it. Records disagree on spelling
 * (seed_results vs seeds as a map, bytes_total vs artifact_bytes, val_loss vs mean_val_loss,
 * seed_scores as a bare list), so this reads every form seen and keeps the raw JSON beside.
 */
public record SubmissionFile(String name, String author, String githubId, String date, Double valLoss, Double valBpb, Long bytesTotal, Long bytesCode,
                             Map<String, Seed> seeds, Map<String, Boolean> compliance, JsonNode json) {

    /** One seed's result as the submission states it (fields null where absent). */
    public record Seed(String seed, Double valLoss, Double valBpb, Long artifactBytes) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static SubmissionFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        JsonNode j;
        try {
            j = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (j == null || !j.isObject()) throw new IllegalArgumentException(file + ": expected a JSON object");
        return of(j);
    }

    public static SubmissionFile of(JsonNode j) {
        Map<String, Seed> seeds = new LinkedHashMap<>();
        JsonNode bySeed = j.has("seed_results") && j.get("seed_results").isObject() ? j.get("seed_results")
                : j.has("seeds") && j.get("seeds").isObject() ? j.get("seeds") : null;
        if (bySeed != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = bySeed.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode s = e.getValue();
                seeds.put(e.getKey(), new Seed(e.getKey(), dbl(s, "val_loss"), firstDbl(s, "val_bpb", "val_var_bpb"), firstLong(s, "artifact_bytes", "bytes_total")));
            }
        } else if (j.has("seed_scores") && j.get("seed_scores").isArray()) {
            List<Long> ids = new ArrayList<>();
            if (j.has("seeds") && j.get("seeds").isArray()) j.get("seeds").forEach(n -> ids.add(n.asLong()));
            int i = 0;
            for (JsonNode v : j.get("seed_scores")) {
                String id = i < ids.size() ? String.valueOf(ids.get(i)) : "#" + (i + 1);
                seeds.put(id, new Seed(id, null, v.asDouble(), null));
                i++;
            }
        }
        Map<String, Boolean> compliance = new LinkedHashMap<>();
        if (j.has("compliance") && j.get("compliance").isObject())
            j.get("compliance").fields().forEachRemaining(e -> { if (e.getValue().isBoolean()) compliance.put(e.getKey(), e.getValue().asBoolean()); });
        return new SubmissionFile(text(j, "name", "run_name"), text(j, "author"), text(j, "github_id"), text(j, "date"),
                firstDbl(j, "val_loss", "mean_val_loss", "val_loss_nats", "mean_val_loss_nats"), firstDbl(j, "val_bpb", "mean_val_bpb", "mean_bpb"),
                firstLong(j, "bytes_total", "artifact_bytes", "artifact_size_bytes"), firstLong(j, "bytes_code", "code_bytes"), seeds, compliance, j);
    }

    private static String text(JsonNode j, String... keys) {
        for (String k : keys) if (j.hasNonNull(k)) return j.get(k).asText();
        return null;
    }

    private static Double dbl(JsonNode j, String key) { return j.hasNonNull(key) && j.get(key).isNumber() ? j.get(key).asDouble() : null; }

    private static Double firstDbl(JsonNode j, String... keys) {
        for (String k : keys) if (dbl(j, k) != null) return dbl(j, k);
        return null;
    }

    private static Long firstLong(JsonNode j, String... keys) {
        for (String k : keys) if (j.hasNonNull(k) && j.get(k).isNumber()) return j.get(k).asLong();
        return null;
    }
}
