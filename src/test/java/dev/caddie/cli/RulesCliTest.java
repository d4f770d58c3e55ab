package dev.caddie.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.caddie.cli.CliTest.caddie;
import static org.assertj.core.api.Assertions.assertThat;

/** check artifact, check constraints, significance and compare as a user types them. */
class RulesCliTest {
    @TempDir Path tmp;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theSeedSystemsExampleIsFeasibleAndATightLimitIsNot() {
        CliTest.Out ok = caddie("check", "constraints", "--params", "23000000", "--bits", "6", "--code-bytes", "30000");
        assertThat(ok.code()).isZero();
        assertThat(ok.stdout()).contains("FEASIBLE").contains("entropy floor").contains("SQNR").contains("steps of 524,288 tokens").contains("memory per GPU");
        CliTest.Out over = caddie("check", "constraints", "--params", "23000000", "--bits", "6", "--code-bytes", "30000", "--limit", "10000000");
        assertThat(over.code()).isEqualTo(1);
        assertThat(over.stdout()).contains("NOT FEASIBLE: artifact");
    }

    @Test
    void mixedPrecisionGroupsAndJsonOutput() throws Exception {
        CliTest.Out o = caddie("check", "constraints", "--group", "mlp:15728640:5", "--group", "attn:7733248:6", "--group", "tok_emb:524288:16",
                "--float-params", "23633", "--quantizer", "amax", "--compressor", "zstd-22", "--code-bytes", "52930", "--json");
        assertThat(o.code()).isZero();
        JsonNode j = json.readTree(o.stdout());
        // The 2026-03-20 record (these groups, plus two small ones) logged 15,830,186 bytes in all.
        assertThat(j.get("predicted_total_bytes").asLong()).isBetween(14_500_000L, 15_800_000L);
        assertThat(j.get("groups")).hasSize(4);
        assertThat(j.get("verdict").asText()).isEqualTo("FEASIBLE");
        assertThat(j.get("training").get("step_source").asText()).isEqualTo("roofline");
    }

    @Test
    void calibrationJsonGivesPredictionsInInputOrderAndTheErrors() throws Exception {
        CliTest.Out o = caddie("check", "constraints", "--calibration", SharedData.file("artifact-calibration.tsv").toString(), "--json");
        assertThat(o.code()).isZero();
        JsonNode j = json.readTree(o.stdout());
        List<String> lines = Files.readAllLines(SharedData.file("artifact-calibration.tsv"));
        assertThat(j.get("rows")).hasSize(lines.size() - 1);
        for (int i = 0; i < j.get("rows").size(); i++) {
            JsonNode r = j.get("rows").get(i);
            assertThat(r.get("label").asText()).startsWith(lines.get(i + 1).split("\t")[0]);
            assertThat(r.get("predicted_total_bytes").asLong()).isGreaterThan(r.get("predicted_model_bytes").asLong());
        }
        assertThat(j.get("median_abs_error").asDouble()).isLessThanOrEqualTo(0.02);
        assertThat(j.get("worst_abs_error").asDouble()).isLessThanOrEqualTo(0.08);
    }

    @Test
    void badConstraintInputsExitTwoWithTheReason() {
        CliTest.Out g = caddie("check", "constraints", "--group", "mlp:lots:5");
        assertThat(g.code()).isEqualTo(2);
        assertThat(g.stderr()).contains("group 'mlp:lots:5': PARAMS 'lots' is not a whole number");
        CliTest.Out c = caddie("check", "constraints", "--params", "1000", "--bits", "6", "--compressor", "lz4-1");
        assertThat(c.code()).isEqualTo(2);
        assertThat(c.stderr()).contains("unknown compressor 'lz4-1'; accepted:");
        assertThat(caddie("check", "constraints").stderr()).contains("nothing to size");
    }

    @Test
    void artifactOfAStubWhoseLogCountedTheRealCodeIsOver() throws Exception {
        Path stub = Files.writeString(tmp.resolve("train_gpt.py"), "exec(open(__file__.replace(\"train_gpt.py\",\"train_gpt_decode.py\")).read())\n");
        Path log = SharedData.file("pgolf-logs/2026-04-06_SP8192_HessianSDClip_ProgressiveRecurrence/train_seed42.log");
        CliTest.Out o = caddie("check", "artifact", "--script", stub.toString(), "--log", log.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.stdout()).contains("16,058,494 bytes").contains("OVER by 58,494").contains("runs code from train_gpt_decode.py");
    }

    @Test
    void artifactOfALogWithoutASizeLineExitsTwo() throws Exception {
        Path log = Files.writeString(tmp.resolve("train.log"), "step:1/10 train_loss:5.0 train_time:10ms step_avg:10ms\n");
        CliTest.Out o = caddie("check", "artifact", "--log", log.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.stderr()).contains("code size line");
        Path script = Files.writeString(tmp.resolve("s.py"), "print(1)\n");
        CliTest.Out o2 = caddie("check", "artifact", "--script", script.toString(), "--log", log.toString());
        assertThat(o2.code()).isEqualTo(2);
        assertThat(o2.stderr()).contains("the log has no size line");
    }

    @Test
    void significanceFromSubmissionFilesAndTheOneSeedRefusal() throws Exception {
        Path cand = submission("2026-03-25_ValCalib_GPTQ_XSA_BigramHash3072");
        Path base = submission("2026-03-20_Int6_MLP3x_SmearGate_BigramHash_MuonWD_SWA");
        CliTest.Out o = caddie("significance", "--candidate-json", cand.toString(), "--baseline-json", base.toString());
        assertThat(o.code()).isZero();
        assertThat(o.stdout()).contains("Welch's t-test").contains("nats").contains("bpb").contains("SIGNIFICANT");
        Path one = SharedData.file("pgolf-logs/2026-03-17_NaiveBaseline/train.log");
        CliTest.Out refused = caddie("significance", "--candidate", one.toString(), "--baseline-loss", "2.1");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.stderr()).contains("only 1 candidate seed").contains("at least 2");
    }

    @dev.caddie.Needs(dev.caddie.Requirement.PYTHON3)

    @Test
    void compareFindsNoChangeInTheBaselineWithoutCommentsAndTheRealChangesOfARecord() throws Exception {
        Path baseline = SharedData.file("pgolf-scripts/baseline/train_gpt.py");
        StringBuilder stripped = new StringBuilder();
        for (String line : Files.readAllLines(baseline)) {
            if (line.strip().startsWith("#")) continue;
            stripped.append(line.replaceAll("\\s+# .*$", "")).append('\n');
        }
        Path copy = Files.writeString(tmp.resolve("train_gpt.py"), stripped);
        assertThat(Files.readString(copy)).isNotEqualTo(Files.readString(baseline));
        CliTest.Out same = caddie("compare", copy.toString(), "--baseline", baseline.toString());
        assertThat(same.code()).isEqualTo(1);
        assertThat(same.stdout()).contains("no difference but comments");
        CliTest.Out diff = caddie("compare", SharedData.file("pgolf-scripts/2026-03-19_SlidingWindowEval/train_gpt.py").toString(), "--baseline", baseline.toString());
        assertThat(diff.code()).isZero();
        assertThat(diff.stdout()).contains("added    eval_val_sliding").contains("changed  Hyperparameters");
        Path broken = Files.writeString(tmp.resolve("broken.py"), "def f(:\n");
        CliTest.Out bad = caddie("compare", broken.toString(), "--baseline", baseline.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.stderr()).contains("broken.py: not valid Python, line 1");
    }

    private Path submission(String folder) throws Exception {
        for (String line : Files.readAllLines(SharedData.file("pgolf-submissions.jsonl"))) {
            JsonNode j = json.readTree(line);
            if (j.get("folder").asText().equals(folder))
                return Files.writeString(tmp.resolve(folder + ".json"), json.writeValueAsString(j.get("submission")));
        }
        throw new AssertionError(folder);
    }

    @dev.caddie.Needs(dev.caddie.Requirement.PYTHON3)

    @Test
    void lintExitsOneOnAViolationWithFileLineAndRuleAndZeroOnTheRecords() throws Exception {
        Path baseline = SharedData.file("pgolf-scripts/baseline/train_gpt.py");
        Path leak = Files.writeString(tmp.resolve("train_gpt.py"), Files.readString(baseline).replace("is_causal=True,", "is_causal=False,"));
        CliTest.Out o = caddie("lint", leak.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.stdout()).containsPattern("train_gpt.py:\\d+: violation CAUSALITY_LEAK: ");
        CliTest.Out j = caddie("lint", "--json", leak.toString());
        JsonNode f = json.readTree(j.stdout()).get("findings").get(0);
        assertThat(f.get("rule").asText()).isEqualTo("CAUSALITY_LEAK");
        assertThat(f.get("severity").asText()).isEqualTo("violation");
        Path wrappedRecord = SharedData.file("pgolf-scripts/2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_gpt.py");
        CliTest.Out wrapped = caddie("lint", wrappedRecord.toString(), "--baseline", baseline.toString());
        assertThat(wrapped.code()).isZero();
        assertThat(wrapped.stdout()).contains("(decoded): clean");
        Path notPython = Files.writeString(tmp.resolve("notes.py"), "this is not python at all\n");
        CliTest.Out bad = caddie("lint", notPython.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.stderr()).contains("notes.py: not valid Python, line 1");
        // One unreadable file in a batch: the others are still judged and reported, and the exit says not all were read.
        CliTest.Out batch = caddie("lint", notPython.toString(), leak.toString(), baseline.toString());
        assertThat(batch.code()).isEqualTo(2);
        assertThat(batch.stderr()).contains("notes.py: not valid Python, line 1");
        assertThat(batch.stdout()).containsPattern("train_gpt.py:\\d+: violation CAUSALITY_LEAK: ")
                .contains(baseline + ": clean").contains("3 scripts: 2 read, 1 with violations, 1 unreadable");
        CliTest.Out batchJson = caddie("lint", "--json", notPython.toString(), wrappedRecord.toString());
        String[] lines = batchJson.stdout().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(json.readTree(lines[0]).get("error").asText()).contains("not valid Python");
        JsonNode w = json.readTree(lines[1]);
        assertThat(w.get("wrapper").asText()).isEqualTo("exec(lzma.decompress(base64.b85decode(...)))");
        assertThat(w.get("decoded_bytes").asLong()).isGreaterThan(w.get("bytes").asLong());
    }

    @Test
    void overlapExitsOneWhenAValidationDocumentIsInTrainingAndTwoOnABadShard() throws Exception {
        char[] val = {1, 5, 6, 7, 8, 9, 10, 11, 12, 1, 20, 21, 22, 23, 24, 25};
        char[] train = {1, 30, 31, 32, 1, 5, 6, 7, 8, 9, 10, 11, 12, 1, 40, 41};
        Path dir = Files.createDirectories(tmp.resolve("data"));
        dev.caddie.data.TokenShard.write(dir.resolve("fineweb_val_000000.bin"), val, 0, val.length);
        dev.caddie.data.TokenShard.write(dir.resolve("fineweb_train_000000.bin"), train, 0, train.length);
        CliTest.Out o = caddie("check", "overlap", "--train", dir + "/fineweb_train_*.bin", "--val", dir + "/fineweb_val_*.bin", "--shingle", "4", "--sample", "1");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.stdout()).contains("exact: 1 of 2 validation documents").contains("VIOLATION");
        Files.write(dir.resolve("fineweb_train_000001.bin"), new byte[100]);
        CliTest.Out bad = caddie("check", "overlap", "--train", dir + "/fineweb_train_*.bin", "--val", dir + "/fineweb_val_*.bin");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.stderr()).contains("fineweb_train_000001.bin: 100 bytes is shorter than the 1024-byte shard header").doesNotContain("Exception");
        CliTest.Out none = caddie("check", "overlap", "--train", dir + "/nothing_*.bin", "--val", dir + "/fineweb_val_*.bin");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.stderr()).contains("--train").contains("no file matches");
    }

    @Test
    void sdClipSigmasCanBeGivenPerGroupAndAnUnknownGroupIsNamed() throws Exception {
        JsonNode wide = json.readTree(caddie("check", "constraints", "--group", "mlp:500000:6", "--group", "attn:500000:6", "--quantizer", "gptq-sdclip",
                "--clip-sigmas", "mlp=20,attn=20", "--json").stdout());
        JsonNode tight = json.readTree(caddie("check", "constraints", "--group", "mlp:500000:6", "--group", "attn:500000:6", "--quantizer", "gptq-sdclip",
                "--clip-sigmas", "mlp=8,attn=20", "--json").stdout());
        // a smaller k spreads the same row over more levels: more bytes for mlp, the same for attn
        assertThat(tight.get("groups").get(0).get("bytes").asLong()).isGreaterThan(wide.get("groups").get(0).get("bytes").asLong());
        assertThat(tight.get("groups").get(1).get("bytes").asLong()).isEqualTo(wide.get("groups").get(1).get("bytes").asLong());
        CliTest.Out bad = caddie("check", "constraints", "--group", "mlp:500000:6", "--quantizer", "gptq-sdclip", "--clip-sigmas", "emb=3");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.stderr()).contains("--clip-sigmas emb=3: no group named 'emb'; groups: mlp");
    }
}
