package dev.caddie.tinygolf;

import dev.caddie.Trainer;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** train.java driven as a subprocess, as Caddie drives it. */
class TinyGolfTrainerTest {
    @TempDir Path tmp;

    private Trainer.Result run(String name, Map<String, String> extra) throws IOException, InterruptedException {
        Map<String, String> env = Trainer.tiny();
        env.putAll(extra);
        return Trainer.run(tmp.resolve(name), env);
    }

    @Test
    void finiteDifferencesAgreeWithBackpropForEveryParameterKind() throws Exception {
        for (String tied : List.of("1", "0")) {
            // the untied model also carries the bigram hash embedding, so both of its tensors are checked too
            String bigram = tied.equals("0") ? "32" : "0";
            Trainer.Result r = run("grad" + tied, Map.of("GRAD_CHECK", "1", "MODEL_DIM", "16", "NUM_HEADS", "2", "NUM_LAYERS", "2", "TIE_EMBEDDINGS", tied,
                    "BIGRAM_VOCAB", bigram, "BIGRAM_DIM", "8"));
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.text()).contains("grad_check tok_emb.weight", "attn.c_q.weight", "attn.c_k.weight", "attn.c_v.weight",
                    "attn.proj.weight", "mlp.fc.weight", "mlp.proj.weight", "attn_scale", "mlp_scale", "failures:0");
            if (tied.equals("0")) assertThat(r.text()).contains("grad_check lm_head.weight", "grad_check bigram.weight", "grad_check bigram.proj.weight");
            else assertThat(r.text()).doesNotContain("bigram");
            assertThat(r.lines().stream().filter(l -> l.startsWith("grad_check ") && l.contains("max_rel_err"))).allMatch(l -> l.endsWith(" ok"));
        }
    }

    @Test
    void lossFallsOverThirtySteps() throws Exception {
        Trainer.Result r = run("falls", Map.of("ITERATIONS", "30"));
        assertThat(r.exitCode()).as(r.text()).isZero();
        LogSummary s = new LogParser().parse("falls", r.lines().toArray(String[]::new));
        List<LogSummary.TrainPoint> curve = s.trainCurve();
        assertThat(curve).hasSize(30);
        double first = curve.subList(0, 5).stream().mapToDouble(LogSummary.TrainPoint::loss).average().orElseThrow();
        double last = curve.subList(25, 30).stream().mapToDouble(LogSummary.TrainPoint::loss).average().orElseThrow();
        assertThat(last).isLessThan(first - 0.5);
    }

    @Test
    void anUntrainedModelScoresAboutEightBitsPerByte() throws Exception {
        Trainer.Result r = run("untrained", Map.of("ITERATIONS", "0", "QUANT_BITS", "8"));
        assertThat(r.exitCode()).as(r.text()).isZero();
        assertThat(r.number("final_int8_zlib_roundtrip_exact", "val_bpb")).isCloseTo(8.0, within(0.02));
        double loss = r.number("final_int8_zlib_roundtrip_exact", "val_loss");
        assertThat(r.number("final_int8_zlib_roundtrip_exact", "val_bpb")).isCloseTo(loss / Math.log(2), within(1e-7));
    }

    @Test
    void theSameSeedAndThreadsGiveIdenticalLogs() throws Exception {
        Trainer.Result a = run("a", Map.of("SEED", "7")), b = run("b", Map.of("SEED", "7")), c = run("c", Map.of("SEED", "8"));
        assertThat(withoutTimings(a)).isEqualTo(withoutTimings(b));
        assertThat(withoutTimings(a)).isNotEqualTo(withoutTimings(c));
    }

    /** Everything but wall-clock figures, which no two runs share. */
    private static List<String> withoutTimings(Trainer.Result r) {
        return r.lines().stream().filter(l -> !l.startsWith("peak memory"))
                .map(l -> l.replaceAll("(train_time|step_avg|eval_time):[0-9.]+ms", "$1:X")).toList();
    }

    @Test
    void quantizationErrorShrinksAsBitsGrowAndInt8CostsUnderOnePercent() throws Exception {
        double previous = Double.MAX_VALUE;
        for (String bits : List.of("4", "5", "6", "8")) {
            Trainer.Result r = run("q" + bits, Map.of("ITERATIONS", "60", "QUANT_BITS", bits, "VAL_LOSS_EVERY", "1000"));
            assertThat(r.exitCode()).as(r.text()).isZero();
            double mse = r.number("quantization int" + bits, "mse");
            assertThat(mse).as("int" + bits + " mse").isLessThan(previous);
            previous = mse;
            if (bits.equals("8")) {
                double pre = r.number("step:60/60 val_loss", "val_bpb");
                double post = r.number("final_int8_zlib_roundtrip_exact", "val_bpb");
                assertThat(Math.abs(post - pre) / pre).as("int8 roundtrip cost").isLessThan(0.01);
            }
        }
    }

    @Test
    void aStrideAsLongAsTheWindowScoresExactlyAsTheDefaultAndAShorterOneWithMoreContext() throws Exception {
        Map<String, String> trained = Map.of("ITERATIONS", "60", "SEED", "3", "BIGRAM_VOCAB", "512", "BIGRAM_DIM", "16");
        Trainer.Result plain = run("plain", trained), whole = run("whole", with(trained, "EVAL_STRIDE", "64")),
                sliding = run("sliding", with(trained, "EVAL_STRIDE", "16"));
        for (Trainer.Result r : List.of(plain, whole, sliding)) assertThat(r.exitCode()).as(r.text()).isZero();
        // the same tokens scored in the same windows: bit for bit the same figures
        assertThat(withoutTimings(whole)).isEqualTo(withoutTimings(plain)).noneMatch(l -> l.startsWith("eval_stride"));
        assertThat(sliding.text()).contains("eval_stride:16", "bigram_vocab:512 bigram_dim:16");
        // training is untouched by the evaluation's stride, and every token after a window's first 48 sees 48+ bytes
        assertThat(sliding.number("step:60/60", "train_loss")).isEqualTo(plain.number("step:60/60", "train_loss"));
        double before = plain.number("final_int6_zlib_roundtrip_exact", "val_bpb"), after = sliding.number("final_int6_zlib_roundtrip_exact", "val_bpb");
        assertThat(after).isLessThan(before);
    }

    @Test
    void theBigramHashEmbeddingLearnsFasterAndItsTensorsGoIntoTheArtifact() throws Exception {
        Trainer.Result base = run("nobigram", Map.of("ITERATIONS", "60", "SEED", "5")),
                bigram = run("bigram", Map.of("ITERATIONS", "60", "SEED", "5", "BIGRAM_VOCAB", "1024", "BIGRAM_DIM", "16"));
        for (Trainer.Result r : List.of(base, bigram)) assertThat(r.exitCode()).as(r.text()).isZero();
        assertThat(base.text()).doesNotContain("bigram");
        // two bytes of context from the first step: the same 60 steps end lower (4.35 against 4.41 bpb when written)
        assertThat(bigram.number("final_int6_zlib_roundtrip_exact", "val_bpb")).isLessThan(base.number("final_int6_zlib_roundtrip_exact", "val_bpb") - 0.02);
        // 1024 x 16 + 64 x 16 more parameters, counted, exported and read back
        assertThat(bigram.number("model_params", "model_params") - base.number("model_params", "model_params")).isEqualTo(1024 * 16 + 64 * 16);
        assertThat(bigram.number("Serialized model int6+zlib", "Serialized model int6+zlib")).isGreaterThan(base.number("Serialized model int6+zlib", "Serialized model int6+zlib"));
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(env);
        m.put(key, value);
        return m;
    }

    @Test
    void theArtifactFileIsAsLargeAsTheLogSays() throws Exception {
        Trainer.Result r = run("size", Map.of("QUANT_BITS", "6"));
        assertThat(r.exitCode()).as(r.text()).isZero();
        long logged = (long) r.number("Serialized model int6+zlib", "Serialized model int6+zlib");
        assertThat(Files.size(r.dir().resolve("final_model.int6.ptz"))).isEqualTo(logged);
        long code = Files.size(r.dir().resolve("train.java"));
        assertThat(r.number("Code size", "Code size")).isEqualTo((double) code);
        assertThat(r.number("Total submission size int6+zlib", "Total submission size int6+zlib")).isEqualTo((double) (logged + code));
        assertThat(Files.readString(r.dir().resolve("logs/test.txt"))).startsWith(Files.readString(Trainer.source()));
    }

    @Test
    void badEnvironmentValuesFailFastNamingTheVariable() throws Exception {
        record Bad(String var, String value, String says) {}
        for (Bad b : List.of(new Bad("SEED", "abc", "SEED"), new Bad("MODEL_DIM", "65", "MODEL_DIM"), new Bad("QUANT_BITS", "3", "QUANT_BITS"),
                new Bad("TRAIN_BATCH_TOKENS", "1000", "TRAIN_BATCH_TOKENS"), new Bad("TIE_EMBEDDINGS", "maybe", "TIE_EMBEDDINGS"),
                new Bad("EVAL_STRIDE", "5", "EVAL_STRIDE"), new Bad("EVAL_STRIDE", "128", "EVAL_STRIDE"), new Bad("BIGRAM_VOCAB", "1", "BIGRAM_VOCAB"))) {
            long t0 = System.nanoTime();
            Trainer.Result r = run("bad" + b.var(), Map.of(b.var(), b.value()));
            assertThat(r.exitCode()).as(r.text()).isEqualTo(2);
            assertThat(r.text()).contains("invalid hyperparameter " + b.says()).doesNotContain("Exception").doesNotContain("step:");
        }
    }
}
