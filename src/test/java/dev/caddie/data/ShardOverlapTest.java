package dev.caddie.data;

import dev.caddie.TinyGolfData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardOverlapTest {
    @TempDir Path tmp;
    private static final ShardOverlap.Options BOS1 = new ShardOverlap.Options(1, 2048, 50, 8, 10);

    /** BOS-separated documents of random tokens 2..1023. */
    private static List<char[]> docs(SplittableRandom rng, int count) {
        List<char[]> out = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            char[] doc = new char[100 + rng.nextInt(400)];
            for (int i = 0; i < doc.length; i++) doc[i] = (char) (2 + rng.nextInt(1022));
            out.add(doc);
        }
        return out;
    }

    private Path shard(String name, List<char[]> docs) throws IOException {
        int n = docs.stream().mapToInt(d -> d.length + 1).sum();
        char[] t = new char[n];
        int at = 0;
        for (char[] d : docs) {
            t[at++] = 1;
            System.arraycopy(d, 0, t, at, d.length);
            at += d.length;
        }
        Path f = tmp.resolve(name);
        TokenShard.write(f, t, 0, t.length);
        return f;
    }

    @Test
    void plantedValidationDocumentsAreFoundExactlyAndTheirShinglesToo() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        List<char[]> val = docs(rng, 300), train = docs(rng, 3000);
        List<char[]> planted = List.of(val.get(5), val.get(77), val.get(78), val.get(150), val.get(299), val.get(0), val.get(200));
        for (int i = 0; i < planted.size(); i++) train.add(400 * i + 13, planted.get(i));
        Path v = shard("val.bin", val);
        List<Path> t = List.of(shard("train_0.bin", train.subList(0, 1600)), shard("train_1.bin", train.subList(1600, train.size())));
        ShardOverlap.Report r = new ShardOverlap(BOS1).run(List.of(v), t);
        assertThat(r.valDocs()).isEqualTo(300);
        assertThat(r.exactDocs()).isEqualTo(7);
        assertThat(r.examples()).extracting(ShardOverlap.Example::valDoc).containsExactlyInAnyOrder(0, 5, 77, 78, 150, 200, 299);
        // The sampled shingles of exactly those seven documents, no more (random tokens share no 50-grams by chance):
        Path only = shard("planted.bin", planted);
        long plantedShingles = new ShardOverlap(BOS1).run(List.of(only), List.of(only)).valShingles();
        assertThat(r.shinglesFound()).isEqualTo(plantedShingles).isPositive();
    }

    @Test
    void tinyGolfsPreparedShardsShowNoExactOverlap() throws Exception {
        Path d = TinyGolfData.dir();
        List<Path> train;
        try (var s = Files.list(d)) {
            train = s.filter(p -> p.getFileName().toString().startsWith("tinygolf_train_")).sorted().toList();
        }
        ShardOverlap.Report r = new ShardOverlap(new ShardOverlap.Options('\n', 2048, 50, 8, 3)).run(List.of(d.resolve("tinygolf_val_000000.bin")), train);
        assertThat(r.windows()).isFalse();
        assertThat(r.valDocs()).isEqualTo(500);
        assertThat(r.exactDocs()).isZero();
        assertThat(r.shingleFraction()).isLessThan(0.05); // parliamentary boilerplate is shared; documents are not
    }

    @Test
    void dataWithoutTheBosTokenIsCutIntoWindows() throws Exception {
        SplittableRandom rng = new SplittableRandom(9);
        char[] val = new char[256 * 20], train = new char[256 * 200];
        for (int i = 0; i < val.length; i++) val[i] = (char) (2 + rng.nextInt(1000));
        for (int i = 0; i < train.length; i++) train[i] = (char) (2 + rng.nextInt(1000));
        System.arraycopy(val, 256 * 4, train, 256 * 50, 256); // one window, aligned
        TokenShard.write(tmp.resolve("v.bin"), val, 0, val.length);
        TokenShard.write(tmp.resolve("t.bin"), train, 0, train.length);
        ShardOverlap.Report r = new ShardOverlap(new ShardOverlap.Options(1, 256, 50, 1, 3)).run(List.of(tmp.resolve("v.bin")), List.of(tmp.resolve("t.bin")));
        assertThat(r.windows()).isTrue();
        assertThat(r.valDocs()).isEqualTo(20);
        assertThat(r.exactDocs()).isEqualTo(1);
        assertThat(r.examples().get(0).trainOffset()).isEqualTo(256 * 50);
    }

    @Test
    void aShardWithABadHeaderIsNamed() throws Exception {
        Path bad = Files.write(tmp.resolve("bad.bin"), new byte[2048]);
        assertThatThrownBy(() -> new ShardOverlap(BOS1).run(List.of(bad), List.of(bad)))
                .isInstanceOf(IOException.class).hasMessageContaining("bad.bin: header magic is 0, expected 20240520");
    }
}
