package dev.caddie.gate;

import dev.caddie.data.ShardOverlap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * `caddie check overlap` as a gate, run when a candidate touches data preparation (a file whose path
 * names data, shards, tokenizers, downloads or preparation): the shards under the task's DATA_PATH
 * must not share a single validation document with the training shards.
 */
public final class OverlapGate implements Gate {
    public static final String NAME = "overlap";
    private static final Pattern DATA_CODE = Pattern.compile("(?i)(data|shard|token|prepare|download|fineweb|dataset)");

    @Override
    public String name() { return NAME; }

    @Override
    public GateResult check(CandidateChange c) throws IOException {
        List<String> touched = c.changedFiles().stream().filter(f -> !f.equals(c.task().script()) && DATA_CODE.matcher(f).find()).toList();
        if (touched.isEmpty()) return GateResult.pass(NAME, "no data-preparation code changed");
        String dataPath = c.task().env().get("DATA_PATH");
        if (dataPath == null) return GateResult.pass(NAME, String.join(", ", touched) + " changed, but the task sets no DATA_PATH to check");
        Path dir = Path.of(dataPath.replace("{workspace}", c.task().workspace().toString()).replace("{worktree}", c.worktree().toString()));
        List<Path> val = shards(dir, "val"), train = shards(dir, "train");
        if (val.isEmpty() || train.isEmpty()) return GateResult.pass(NAME, "no train and val shards under " + dir + " to check");
        ShardOverlap.Report r = new ShardOverlap(new ShardOverlap.Options(1, 2048, 50, 8, 3)).run(val, train);
        String summary = String.format(Locale.ROOT, "%s changed; %,d of %,d validation documents found in training (%s), %.3f%% of sampled shingles",
                String.join(", ", touched), r.exactDocs(), r.valDocs(), r.windows() ? "2048-token windows" : "split at BOS", 100 * r.shingleFraction());
        return r.exactDocs() == 0 ? GateResult.pass(NAME, summary) : GateResult.fail(NAME, summary);
    }

    private static List<Path> shards(Path dir, String split) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".bin") && n.contains("_" + split + "_");
            }).sorted().toList();
        }
    }
}
