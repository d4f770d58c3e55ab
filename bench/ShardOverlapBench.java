import dev.caddie.data.ShardOverlap;
import dev.caddie.data.TokenShard;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput of `caddie check overlap` on FineWeb-sized data: writes about 1 GB of training shards and
 * 10M validation tokens (vocab 1024, BOS-separated documents of 200..2000 tokens, 100 validation
 * documents planted in training), runs one pass, and prints MB/s of training shards read against a
 * plain read of the same files in the same run. Usage: bench/overlap [GB] (default 1).
 */
public class ShardOverlapBench {
    public static void main(String[] args) throws Exception {
        double gb = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        Path dir = Files.createTempDirectory("caddie-overlap-bench");
        try {
            SplittableRandom rng = new SplittableRandom(7);
            List<char[]> planted = new ArrayList<>();
            char[] val = docs(rng, 10_000_000, planted, 100);
            TokenShard.write(dir.resolve("fineweb_val_000000.bin"), val, 0, val.length);
            long trainTokens = (long) (gb * 1e9 / 2);
            int shards = (int) Math.ceil(trainTokens / 100_000_000.0);
            List<Path> train = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                char[] t = docs(rng, (int) Math.min(100_000_000, trainTokens - s * 100_000_000L), null, 0);
                if (s == 0) { // plant the chosen validation documents, each at a document boundary
                    int at = 1000;
                    for (char[] d : planted) {
                        while (t[at] != 1) at++;
                        if (at + d.length + 1 >= t.length) break;
                        System.arraycopy(d, 0, t, at + 1, d.length);
                        t[at + 1 + d.length] = 1;
                        at += d.length + 50_000;
                    }
                }
                Path f = dir.resolve(String.format("fineweb_train_%06d.bin", s));
                TokenShard.write(f, t, 0, t.length);
                train.add(f);
            }
            long bytes = 0;
            for (Path f : train) bytes += Files.size(f);
            // Warm the page cache and time a plain read of the same shards, the floor for any pass.
            long r0 = System.nanoTime();
            for (Path f : train) TokenShard.stream(f, (b, n) -> { });
            double readMbps = bytes / 1e6 / ((System.nanoTime() - r0) / 1e9);
            ShardOverlap.Report r = new ShardOverlap(new ShardOverlap.Options(1, 2048, 50, 8, 3)).run(List.of(dir.resolve("fineweb_val_000000.bin")), train);
            double mbps = r.trainBytes() / 1e6 / (r.nanos() / 1e9);
            System.out.printf(Locale.ROOT, "training shards: %.2f GB in %d files; validation %,d tokens, %,d documents%n", bytes / 1e9, train.size(), r.valTokens(), r.valDocs());
            System.out.printf(Locale.ROOT, "planted 100 documents, found %d exact (%.2f%% of shingles)%n", r.exactDocs(), 100 * r.shingleFraction());
            System.out.printf(Locale.ROOT, "overlap pass: %.1f s, %.0f MB/s; plain read of the same shards: %.0f MB/s; ratio %.2f%n",
                    r.nanos() / 1e9, mbps, readMbps, mbps / readMbps);
            System.out.printf(Locale.ROOT, "heap in use after the pass: %.0f MB%n", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1e6);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    /** BOS (1) separated documents of uniform random tokens 2..1023; keeps {@code keep} of them in {@code out}. */
    static char[] docs(SplittableRandom rng, int n, List<char[]> out, int keep) {
        char[] t = new char[n];
        int i = 0;
        while (i < n) {
            t[i++] = 1;
            int len = Math.min(n - i, 200 + rng.nextInt(1800));
            int start = i;
            for (int k = 0; k < len; k++) t[i++] = (char) (2 + rng.nextInt(1022));
            if (out != null && out.size() < keep && len > 100 && rng.nextInt(10) == 0) out.add(java.util.Arrays.copyOfRange(t, start, start + len));
        }
        return t;
    }
}
