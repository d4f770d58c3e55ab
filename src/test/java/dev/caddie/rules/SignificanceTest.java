package dev.caddie.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.SharedData;
import dev.caddie.run.LogParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The record rule on real submissions, and what the quoted statistics in records turn out to be. */
class SignificanceTest {
    static Map<String, SubmissionFile> submissions() throws Exception {
        Map<String, SubmissionFile> m = new HashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : Files.readAllLines(SharedData.file("pgolf-submissions.jsonl"))) {
            JsonNode j = mapper.readTree(line);
            m.put(j.get("folder").asText(), SubmissionFile.of(j.get("submission")));
        }
        return m;
    }

    static double[] losses(SubmissionFile s) {
        return s.seeds().values().stream().mapToDouble(SubmissionFile.Seed::valLoss).toArray();
    }

    @Test
    void aRecordThatBeatsTheStandingOneByFarIsSignificant() throws Exception {
        var subs = submissions();
        double[] cand = losses(subs.get("2026-03-25_ValCalib_GPTQ_XSA_BigramHash3072"));
        double[] base = losses(subs.get("2026-03-20_Int6_MLP3x_SmearGate_BigramHash_MuonWD_SWA"));
        Significance.Result r = Significance.test("val_loss", cand, base, Double.NaN, Significance.MARGIN_NATS, Significance.ALPHA, Significance.Variant.CHALLENGE);
        assertThat(r.test()).startsWith("Welch's t-test");
        assertThat(r.diff()).isCloseTo(1.88217853 - 1.93465876, within(1e-7));
        assertThat(r.significant()).isTrue();
    }

    @Test
    void threeNoisySeedsCanFailTheRuleDespiteNearlyThreeMarginsOfImprovement() throws Exception {
        // 2026-03-31 improves on 2026-03-25 by 0.01432073 nats (its own figure), but its seeds spread by sd 0.0028:
        // Welch's test with the margin gives p = 0.0126 on 2.18 df, not below 0.01. Found by this test; scipy agrees.
        var subs = submissions();
        double[] cand = losses(subs.get("2026-03-31_ParallelResiduals_MiniDepthRecurrence"));
        double[] base = losses(subs.get("2026-03-25_ValCalib_GPTQ_XSA_BigramHash3072"));
        Significance.Result r = Significance.test("val_loss", cand, base, Double.NaN, Significance.MARGIN_NATS, Significance.ALPHA, Significance.Variant.CHALLENGE);
        assertThat(r.diff()).isCloseTo(-0.01432073, within(1e-7));
        assertThat(r.df()).isCloseTo(2.1776, within(1e-3));
        assertThat(r.p()).isCloseTo(0.01264, within(1e-4));
        assertThat(r.significant()).isFalse();
        assertThat(r.verdict()).startsWith("NOT SIGNIFICANT: p = 0.01264");
    }

    @Test
    void anImprovementBelowTheMarginIsNotSignificantWhateverItsP() throws Exception {
        var subs = submissions();
        double[] cand = losses(subs.get("2026-04-14_MultiPhaseGlobalSGD_PhasedTTT"));
        double[] base = losses(subs.get("2026-04-13_VarLenAttn_PhasingTTT2000"));
        Significance.Result r = Significance.test("val_loss", cand, base, Double.NaN, Significance.MARGIN_NATS, Significance.ALPHA, Significance.Variant.CHALLENGE);
        assertThat(-r.diff()).isBetween(0.0, 0.005);
        assertThat(r.significant()).isFalse();
        assertThat(r.verdict()).contains("below the margin");
    }

    @Test
    void quotedWelchStatisticsAreTheUnshiftedDifferenceOfValLoss() throws Exception {
        // 2026-03-25 quotes "Welch t=-11.83, df=3.31" against PR 549's 3-seed mean 1.89002068 nats. PR 549's seeds
        // are not in the data; its spread follows from the quoted t (sd 0.000980 over 3 seeds). The quoted df is then
        // an independent check: it matches only for the unshifted difference of val_loss with Welch-Satterthwaite df.
        double[] cand = losses(submissions().get("2026-03-25_ValCalib_GPTQ_XSA_BigramHash3072"));
        double sd = 0.00098005, mean = 1.89002068;
        double[] pr549 = {mean - sd, mean, mean + sd}; // sample sd of {m-s, m, m+s} is s
        Significance.Result quoted = Significance.test("val_loss", cand, pr549, Double.NaN, Significance.MARGIN_NATS, 0.01, Significance.Variant.AS_QUOTED);
        assertThat(quoted.t()).isCloseTo(-11.8339, within(0.01));
        assertThat(quoted.df()).isCloseTo(3.3063, within(0.005));
        Significance.Result rule = Significance.test("val_loss", cand, pr549, Double.NaN, Significance.MARGIN_NATS, 0.01, Significance.Variant.CHALLENGE);
        assertThat(rule.t()).isCloseTo(-4.29, within(0.05)); // with the margin the same data is far less decisive
        assertThat(rule.significant()).isTrue();
    }

    @Test
    void quotedOneSamplePValuesAreTwoSidedAgainstTheBaselinesValLossWithoutTheMargin() throws Exception {
        // 2026-03-19 SlidingWindow_FP16Emb quotes p_value 0.0001 for its three seeds against the naive baseline.
        double baseline = new LogParser().parse(SharedData.file("pgolf-logs/2026-03-17_NaiveBaseline/train.log")).score().valLoss();
        assertThat(baseline).isEqualTo(2.07269931);
        double[] cand = losses(submissions().get("2026-03-19_SlidingWindow_FP16Emb_10L_MuonWD_OvertoneInit"));
        Significance.Result quoted = Significance.test("val_loss", cand, null, baseline, Significance.MARGIN_NATS, 0.01, Significance.Variant.AS_QUOTED);
        assertThat(Math.round(quoted.p() * 1e4) / 1e4).isEqualTo(0.0001); // 6.3e-5, quoted to four decimals
        Significance.Result rule = Significance.test("val_loss", cand, null, baseline, Significance.MARGIN_NATS, 0.01, Significance.Variant.CHALLENGE);
        assertThat(rule.p()).isLessThan(quoted.p()).isGreaterThan(1e-5); // one-sided and shifted: 3.5e-5
        // 2026-03-19 MLP3x_QAT quotes t = 313.2 from mean 1.94198447 and sd 0.00072 (rounded) over 3 seeds:
        double m = 1.94198447, s = 0.00072;
        Significance.Result mlp3x = Significance.test("val_loss", new double[]{m - s, m, m + s}, null, baseline, 0.005, 0.01, Significance.Variant.AS_QUOTED);
        assertThat(mlp3x.t()).isCloseTo(-313.2, within(2.5)); // the sd's rounding to 2 figures spans 312..317
    }

    @Test
    void aClaimThatIsTheBestSeedRatherThanTheMeanIsCaught() {
        // 2026-03-19 Seq2048_FP16Emb_TunedLR claimed 1.15861696, its best seed; its 3-seed mean was 1.1598.
        double[] seeds = {1.15861696, 1.1600, 1.16078304};
        assertThat(Significance.claimIsBestSeed(1.15861696, seeds)).isTrue();
        assertThat(Significance.claimIsBestSeed(1.1598, seeds)).isFalse();
    }

    @Test
    void oneSeedIsRefusedWithTheReason() {
        assertThatThrownBy(() -> Significance.test("val_loss", new double[]{1.9}, null, 2.0, 0.005, 0.01, Significance.Variant.CHALLENGE))
                .hasMessageContaining("at least 2 candidate seeds");
    }

    @Test
    void everySubmissionOnFileReadsWithItsSeeds() throws Exception {
        var subs = submissions();
        assertThat(subs).hasSizeGreaterThan(50);
        SubmissionFile qk5 = subs.get("2026-04-06_SP8192_QK5_LegalTTT_1.0828");
        assertThat(qk5.seeds()).containsOnlyKeys("0", "42", "1234");
        assertThat(qk5.seeds().get("42").artifactBytes()).isEqualTo(15992546L);
        assertThat(qk5.compliance()).containsEntry("three_seeds", true);
        assertThat(subs.get("2026-04-03_MuonEqR_DepthRecurrence_WD090_AllInt6").seeds()).hasSize(3); // seed_scores as a bare list
    }
}
