package dev.caddie.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.TestWorkspace;
import dev.caddie.data.TokenShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.caddie.cli.CliTest.caddie;
import static org.assertj.core.api.Assertions.assertThat;

class MicroCommandTest {
    @TempDir Path tmp;

    /** A unified diff of train.java replacing one line, with the real surrounding lines as context. */
    private static String diff(Path ws, String from, String to) throws Exception {
        java.util.List<String> lines = Files.readAllLines(ws.resolve("train.java"));
        int i = lines.indexOf(from);
        if (i < 0) throw new AssertionError(from);
        StringBuilder d = new StringBuilder("--- a/train.java\n+++ b/train.java\n");
        d.append(String.format("@@ -%d,7 +%d,7 @@%n", i - 2, i - 2));
        for (int k = i - 3; k < i + 4; k++) {
            if (k == i) d.append('-').append(from).append('\n').append('+').append(to).append('\n');
            else d.append(' ').append(lines.get(k)).append('\n');
        }
        return d.toString();
    }

    @Test
    void aDiffThatAppliesRunsOnTheMicroTierAndReportsJson() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path patch = Files.writeString(tmp.resolve("lr.diff"), diff(ws,
                "        final double matrixLr = real(\"MATRIX_LR\", 0.004, 0, 10);", "        final double matrixLr = real(\"MATRIX_LR\", 0.006, 0, 10);"));
        CliTest.Out o = caddie("micro", "--diff", patch.toString(), "--json", "-C", ws.toString());
        assertThat(o.code()).as(o.stdout() + o.stderr()).isZero();
        JsonNode j = new ObjectMapper().readTree(o.stdout());
        assertThat(j.get("crashed").asBoolean()).isFalse();
        assertThat(j.get("nan").asBoolean()).isFalse();
        assertThat(j.get("loss_fell").asBoolean()).isTrue();
        assertThat(j.get("step_ms").asDouble()).isPositive();
        assertThat(j.get("artifact_bytes").asLong()).isBetween(50_000L, 160_000L);
        assertThat(j.get("within_limit").asBoolean()).isTrue();
        assertThat(j.get("errors")).isEmpty();
        assertThat(Files.readString(ws.resolve("train.java"))).as("the user's copy is untouched").contains("\"MATRIX_LR\", 0.004");
    }

    @Test
    void aDiffThatDoesNotApplyIsRefusedNamingTheHunk() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        String good = diff(ws, "        final double matrixLr = real(\"MATRIX_LR\", 0.004, 0, 10);", "        final double matrixLr = real(\"MATRIX_LR\", 0.006, 0, 10);");
        Path stale = Files.writeString(tmp.resolve("stale.diff"), good.replace("MATRIX_LR\", 0.004", "MATRIX_LR\", 0.005"));
        CliTest.Out o = caddie("micro", "--diff", stale.toString(), "-C", ws.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.stderr()).contains("stale.diff: hunk 1 of train.java (@@ -").contains("does not apply").doesNotContain("Exception");
        Path junk = Files.writeString(tmp.resolve("junk.diff"), "this is not a diff\n");
        assertThat(caddie("micro", "--diff", junk.toString(), "-C", ws.toString()).stderr()).contains("junk.diff: no hunks found");
    }

    @Test
    void aCrashIsReportedWithItsErrorLinesAndExitCodeOne() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path patch = Files.writeString(tmp.resolve("crash.diff"), diff(ws,
                "        TokenSampler sampler = new TokenSampler(trainFiles, hp.seed);", "        TokenSampler sampler = null; sampler.next(null, null, 0, 0);"));
        CliTest.Out o = caddie("micro", "--diff", patch.toString(), "--json", "-C", ws.toString());
        assertThat(o.code()).isEqualTo(1);
        JsonNode j = new ObjectMapper().readTree(o.stdout());
        assertThat(j.get("crashed").asBoolean()).isTrue();
        assertThat(j.get("errors").toString()).contains("NullPointerException");
    }

    @Test
    void syntheticDataHasTheChallengeFormatAndTheRequestedSizes() throws Exception {
        CliTest.Out o = caddie("data", "synthetic", "--vocab", "1024", "--tokens", "300000", "--val-tokens", "5000", "--out", tmp.resolve("syn").toString());
        assertThat(o.code()).as(o.stderr()).isZero();
        char[] train = TokenShard.read(tmp.resolve("syn/fineweb_train_000000.bin"));
        char[] val = TokenShard.read(tmp.resolve("syn/fineweb_val_000000.bin"));
        assertThat(train).hasSize(300_000);
        assertThat(val).hasSize(5_000);
        for (char c : train) assertThat((int) c).isLessThan(1024);
        assertThat(o.stdout()).contains("entropy rate");
        CliTest.Out again = caddie("data", "synthetic", "--vocab", "1024", "--tokens", "300000", "--val-tokens", "5000", "--out", tmp.resolve("syn2").toString());
        assertThat(Files.mismatch(tmp.resolve("syn/fineweb_train_000000.bin"), tmp.resolve("syn2/fineweb_train_000000.bin"))).as("seeded").isEqualTo(-1L);
        assertThat(caddie("data", "synthetic", "--vocab", "70000", "--tokens", "10", "--out", tmp.resolve("x").toString()).stderr())
                .contains("--vocab 70000 is out of range; accepted: 2..65536");
    }
}
