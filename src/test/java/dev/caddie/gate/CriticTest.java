package dev.caddie.gate;

import dev.caddie.task.CriticSettings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The critic's fingerprint and judgement on diffs of the kind agents write. */
class CriticTest {
    static final String DIFF = """
            diff --git a/train_gpt.py b/train_gpt.py
            --- a/train_gpt.py
            +++ b/train_gpt.py
            @@ -120,2 +120,4 @@ class Block(nn.Module):
            -        x = x + self.mlp(self.norm2(x))
            +        h = self.mlp(self.norm2(x))
            +        gate = torch.sigmoid(self.gate_proj(x))
            +        x = x + gate * h
            """;
    /** The same change with its locals renamed, other spacing, a comment and a blank line. */
    static final String SAME_CHANGE_REWRITTEN = """
            diff --git a/train_gpt.py b/train_gpt.py
            --- a/train_gpt.py
            +++ b/train_gpt.py
            @@ -120,2 +120,5 @@ class Block(nn.Module):
            -        x = x + self.mlp( self.norm2(x) )
            +        # gate the MLP output
            +        out = self.mlp(self.norm2(x))
            +        g = torch.sigmoid(self.gate_proj(x))
            +
            +        x = x + g * out
            """;
    static final String OTHER_CHANGE = """
            diff --git a/train_gpt.py b/train_gpt.py
            --- a/train_gpt.py
            +++ b/train_gpt.py
            @@ -40,1 +40,1 @@ class Hyperparameters:
            -    num_layers = int(os.environ.get("NUM_LAYERS", 9))
            +    num_layers = int(os.environ.get("NUM_LAYERS", 11))
            """;

    @Test
    void renamedLocalsLayoutCommentsAndReorderedEnvAreTheSameChangeAndAnotherChangeIsNot() {
        ChangeFingerprint a = ChangeFingerprint.of(DIFF, Map.of("A", "1", "B", "2"));
        ChangeFingerprint b = ChangeFingerprint.of(SAME_CHANGE_REWRITTEN, new java.util.TreeMap<>(Map.of("B", "2", "A", "1")).descendingMap());
        assertThat(a.similarity(b.signature())).isGreaterThanOrEqualTo(0.9);
        assertThat(a.similarity(ChangeFingerprint.of(OTHER_CHANGE, Map.of()).signature())).isLessThan(0.2);
        // other settings on the same code are another experiment
        assertThat(a.similarity(ChangeFingerprint.of(DIFF, Map.of("A", "1", "B", "3")).signature())).isZero();
        assertThat(a.changedLines()).isEqualTo(4);
        assertThat(ChangeFingerprint.signature(ChangeFingerprint.bytes(a.signature()))).containsExactly(a.signature());
    }

    @Test
    void aNearCopyOfAFailureOnTheSameParentIsRejectedNamingItAndOnAnotherParentItIsAReviewNote() {
        Critic critic = new Critic(CriticSettings.defaults());
        long[] failed = ChangeFingerprint.of(DIFF, Map.of()).signature();
        ChangeFingerprint again = ChangeFingerprint.of(SAME_CHANGE_REWRITTEN, Map.of());
        List<Critic.Past> history = List.of(new Critic.Past(7, "aaaa111122223333", failed, "crash", "exit 1: RuntimeException: shape mismatch"));

        Critic.Judgement same = critic.judge("aaaa111122223333", again, history, null);
        assertThat(same.passed()).isFalse();
        assertThat(same.results()).singleElement().satisfies(r -> assertThat(r.reason())
                .contains("candidate 7 on the same parent").contains("ended crash").contains("shape mismatch"));

        Critic.Judgement elsewhere = critic.judge("bbbb444455556666", again, history, null);
        assertThat(elsewhere.passed()).isTrue();
        assertThat(elsewhere.results()).extracting(GateResult::gate).containsExactly(Critic.GATE, Critic.REVIEW);
        assertThat(elsewhere.results().get(1).reason()).startsWith("review:").contains("candidate 7").contains("aaaa111122");

        assertThat(critic.judge("aaaa111122223333", ChangeFingerprint.of(OTHER_CHANGE, Map.of()), history, null).results())
                .extracting(GateResult::gate).containsExactly(Critic.GATE);
    }

    @Test
    void aChangeOverTheLineLimitIsRejectedWithItsSize() {
        StringBuilder rewrite = new StringBuilder("--- a/train_gpt.py\n+++ b/train_gpt.py\n");
        for (int i = 0; i < 300; i++) rewrite.append("-    x").append(i).append(" = ").append(i).append("\n+    y").append(i).append(" = ").append(i + 1).append("\n");
        Critic.Judgement j = new Critic(new CriticSettings(400, 0.9, true)).judge("p", ChangeFingerprint.of(rewrite.toString(), Map.of()), List.of(), null);
        assertThat(j.passed()).isFalse();
        assertThat(j.results().get(0).reason()).contains("600 lines").contains("max_diff_lines = 400");
    }

    @Test
    void batchSequenceScheduleAndCompileChangesAreFlaggedAsScaleRisks() {
        ChangeFingerprint env = ChangeFingerprint.of("", Map.of("TRAIN_SEQ_LEN", "2048", "TRAIN_BATCH_TOKENS", "786432"));
        assertThat(env.scaleRisks()).anyMatch(r -> r.startsWith("batch size")).anyMatch(r -> r.startsWith("sequence length"));
        ChangeFingerprint code = ChangeFingerprint.of("+    warmdown_iters = int(os.environ.get(\"WARMDOWN_ITERS\", 3000))\n"
                + "+    model = torch.compile(model, mode=\"max-autotune\")\n", Map.of());
        assertThat(code.scaleRisks()).anyMatch(r -> r.startsWith("step-count schedule")).anyMatch(r -> r.startsWith("compile flags"));
        Critic.Judgement j = new Critic(CriticSettings.defaults()).judge("p", env, List.of(), null);
        assertThat(j.results()).extracting(GateResult::gate).containsExactly(Critic.GATE, Critic.SCALE);
        assertThat(j.results().get(1).reason()).startsWith("scale risk: ").contains("promotion asks for more evidence");
        assertThat(ChangeFingerprint.of(OTHER_CHANGE, Map.of()).scaleRisks()).isEmpty();
        // what calibration says about the tiers makes any change a scale risk
        assertThat(new Critic(CriticSettings.defaults()).judge("p", ChangeFingerprint.of(OTHER_CHANGE, Map.of()), List.of(), "calibration: rho 0.20").results())
                .extracting(GateResult::gate).contains(Critic.SCALE);
    }
}
