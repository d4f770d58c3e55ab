package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.data.ShardOverlap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "overlap", sortOptions = false,
        description = {"Data contamination: validation documents that occur in the training shards (exact, a violation) and the share of",
                "validation K-token shingles found there (near-duplicates). One streaming pass; exit 1 on any exact overlap."})
final class CheckOverlapCommand implements Callable<Integer> {
    @Option(names = "--train", required = true, paramLabel = "GLOB", description = "training shards, e.g. 'data/fineweb_train_*.bin'")
    String train;
    @Option(names = "--val", required = true, paramLabel = "GLOB", description = "validation shards")
    String val;
    @Option(names = "--bos", defaultValue = "1", description = "token that separates documents; -1 for fixed windows (default: ${DEFAULT-VALUE}; falls back to windows when absent)")
    int bos;
    @Option(names = "--window", defaultValue = "2048", description = "window length when there is no BOS (default: ${DEFAULT-VALUE})")
    int window;
    @Option(names = "--shingle", defaultValue = "50", description = "shingle length in tokens (default: ${DEFAULT-VALUE})")
    int shingle;
    @Option(names = "--sample", defaultValue = "8", description = "keep one shingle in N (a power of two; default: ${DEFAULT-VALUE})")
    int sample;
    @Option(names = "--examples", defaultValue = "5", description = "overlapping documents to show (default: ${DEFAULT-VALUE})")
    int examples;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Path> valFiles = expand(val, "--val"), trainFiles = expand(train, "--train");
        ShardOverlap.Report r = new ShardOverlap(new ShardOverlap.Options(bos, window, shingle, sample, examples)).run(valFiles, trainFiles);
        double mbps = r.trainBytes() / 1e6 / (r.nanos() / 1e9);
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode o = m.createObjectNode();
            o.put("val_files", valFiles.size()).put("train_files", trainFiles.size()).put("val_tokens", r.valTokens()).put("train_tokens", r.trainTokens())
                    .put("split", r.windows() ? "windows of " + window : "bos " + bos).put("val_docs", r.valDocs()).put("exact_docs", r.exactDocs())
                    .put("exact_fraction", r.exactFraction()).put("val_shingles_sampled", r.valShingles()).put("shingles_found", r.shinglesFound())
                    .put("shingle_fraction", r.shingleFraction()).put("train_mb_per_s", mbps).put("violation", r.exactDocs() > 0);
            var ex = o.putArray("examples");
            r.examples().forEach(e -> ex.addObject().put("val_doc", e.valDoc()).put("val_file", e.valFile().toString()).put("val_offset", e.valOffset())
                    .put("length", e.length()).put("train_file", e.trainFile().toString()).put("train_offset", e.trainOffset()).put("head", tokens(e.head())));
            System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(o));
        } else {
            System.out.printf(Locale.ROOT, "validation: %d shards, %,d tokens, %,d distinct documents (%s)%n", valFiles.size(), r.valTokens(), r.valDocs(),
                    r.windows() ? "no BOS " + bos + " in the data: fixed windows of " + window + " tokens" : "split at BOS " + bos);
            System.out.printf(Locale.ROOT, "training:   %d shards, %,d tokens, read at %.0f MB/s%n", trainFiles.size(), r.trainTokens(), mbps);
            System.out.printf(Locale.ROOT, "exact: %,d of %,d validation documents occur in training (%.4f%%)%n", r.exactDocs(), r.valDocs(), 100 * r.exactFraction());
            System.out.printf(Locale.ROOT, "near-duplicate: %,d of %,d sampled %d-token validation shingles occur in training (%.4f%%)%n", r.shinglesFound(), r.valShingles(),
                    shingle, 100 * r.shingleFraction());
            for (ShardOverlap.Example e : r.examples())
                System.out.printf(Locale.ROOT, "  val doc %d (%s @ token %,d, %d tokens) = %s @ token %,d; starts %s%n", e.valDoc(), e.valFile().getFileName(), e.valOffset(),
                        e.length(), e.trainFile().getFileName(), e.trainOffset(), tokens(e.head()));
            System.out.println(r.exactDocs() > 0 ? "VIOLATION: validation documents are in the training data" : "no exact overlap");
        }
        return r.exactDocs() > 0 ? 1 : 0;
    }

    private static String tokens(char[] t) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < t.length; i++) b.append(i == 0 ? "" : " ").append((int) t[i]);
        return b.append(t.length == 16 ? " ...]" : "]").toString();
    }

    /** A shell-style glob over one folder (the part before the first wildcard), sorted. */
    static List<Path> expand(String glob, String option) throws IOException {
        Path p = Path.of(glob);
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        if (Files.isRegularFile(p)) return List.of(p);
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(option + " " + glob + ": folder " + dir + " does not exist");
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
        List<Path> out;
        try (Stream<Path> s = Files.list(dir)) {
            out = s.filter(f -> m.matches(f.getFileName()) && Files.isRegularFile(f)).sorted().toList();
        }
        if (out.isEmpty()) throw new IllegalArgumentException(option + " " + glob + ": no file matches");
        return out;
    }
}
