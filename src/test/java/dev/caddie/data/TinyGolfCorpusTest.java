package dev.caddie.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TinyGolfCorpusTest {
    @TempDir Path tmp;

    @Test
    void preparingTwiceGivesByteIdenticalShardsAndReusesThem() throws IOException {
        TinyGolfCorpus.Summary first = TinyGolfCorpus.prepare(tmp.resolve("a"));
        TinyGolfCorpus.Summary again = TinyGolfCorpus.prepare(tmp.resolve("a"));
        TinyGolfCorpus.prepare(tmp.resolve("b"));
        assertThat(first.reused()).isFalse();
        assertThat(again.reused()).isTrue();
        for (Path p : shards(tmp.resolve("a")))
            assertThat(Files.mismatch(p, tmp.resolve("b").resolve(p.getFileName()))).as(p.toString()).isEqualTo(-1L);
        assertThat(first.valDocs()).isEqualTo(TinyGolfCorpus.VAL_DOCS);
        assertThat(first.valTokens()).isBetween(400_000L, 1_100_000L);
        assertThat(first.trainTokens()).isGreaterThan(15_000_000L);
    }

    @Test
    void noValidationDocumentAppearsInATrainingShard() throws IOException {
        Path d = tmp.resolve("c");
        TinyGolfCorpus.prepare(d);
        Set<String> val = docs(TokenShard.read(d.resolve("tinygolf_val_000000.bin")));
        Set<String> train = new HashSet<>();
        for (Path p : shards(d)) if (p.getFileName().toString().startsWith("tinygolf_train_")) train.addAll(docs(TokenShard.read(p)));
        assertThat(val).hasSize(TinyGolfCorpus.VAL_DOCS);
        Set<String> both = new HashSet<>(val);
        both.retainAll(train);
        assertThat(both).isEmpty();
    }

    @Test
    void aShardWithABadHeaderIsRefusedWithItsName() throws IOException {
        Path bad = tmp.resolve("bad.bin");
        Files.write(bad, new byte[2048]);
        assertThatThrownBy(() -> TokenShard.read(bad)).hasMessageContaining("bad.bin").hasMessageContaining("magic");
        Path shortFile = tmp.resolve("short.bin");
        Files.write(shortFile, new byte[10]);
        assertThatThrownBy(() -> TokenShard.read(shortFile)).hasMessageContaining("shorter than the 1024-byte shard header");
    }

    /** Documents are the byte runs between newlines (each document ends with one). */
    private static Set<String> docs(char[] tokens) {
        Set<String> out = new HashSet<>();
        StringBuilder b = new StringBuilder();
        for (char c : tokens) {
            if (c == '\n') { out.add(b.toString()); b.setLength(0); }
            else b.append(c);
        }
        return out;
    }

    private static List<Path> shards(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
        }
    }
}
