package dev.caddie.search;

import dev.caddie.task.Presets;
import dev.caddie.task.SearchParam;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SearchProposerTest {
    /**
     * Tiny Golf's search space as it was for the benchmark search recorded below: WARMDOWN_ITERS up to 300 (the
     * preset's range has since grown to 3,000) and without the bigram and stride choices added since, so that its
     * runs and the 3% rule are judged on that search's terms.
     */
    private static TaskSpec tinyGolf() throws Exception {
        String preset = Presets.text("tiny-golf"), range = "WARMDOWN_ITERS = { kind = \"int\", low = 0, high = 3000";
        assertThat(preset).contains(range).containsPattern("(?m)^BIGRAM_VOCAB = ");
        String then = preset.replace(range, range.replace("3000", "300")).replaceAll("(?m)^(BIGRAM_VOCAB|BIGRAM_DIM|EVAL_STRIDE) = .*\n", "");
        return new TaskSpecReader().parse(Path.of("/ws"), "caddie.toml", then);
    }

    private static Map<String, String> env(double matrixLr, double embedLr, double scalarLr, int warmdown, String batch,
                                           int layers, String seq, double beta2, double clip) {
        Map<String, String> e = new HashMap<>();
        e.put("MATRIX_LR", Double.toString(matrixLr));
        e.put("EMBED_LR", Double.toString(embedLr));
        e.put("SCALAR_LR", Double.toString(scalarLr));
        e.put("WARMDOWN_ITERS", Integer.toString(warmdown));
        e.put("TRAIN_BATCH_TOKENS", batch);
        e.put("NUM_LAYERS", Integer.toString(layers));
        e.put("TRAIN_SEQ_LEN", seq);
        e.put("QUANT_BITS", "8");
        e.put("BETA2", Double.toString(beta2));
        e.put("GRAD_CLIP_NORM", Double.toString(clip));
        return e;
    }

    @Test
    void aRepeatIsEveryChoiceTheSameAndEveryNumberWithinThreePercentOfItsRange() throws Exception {
        List<SearchParam> space = tinyGolf().search();
        Map<String, String> a = env(0.003257, 0.04683, 0.004068, 297, "2048", 1, "128", 0.901, 0.009);
        // two of one benchmark search's runs in a row: every value within 1.3% of its range
        assertThat(SearchProposer.repeats(space, a, env(0.00339, 0.04764, 0.004027, 297, "2048", 1, "128", 0.901, 0.0004))).isTrue();
        // matrix_lr 0.0026 against 0.0033 is 8% of its log range apart: a different run
        assertThat(SearchProposer.repeats(space, a, env(0.002624, 0.04683, 0.004068, 297, "2048", 1, "128", 0.901, 0.009))).isFalse();
        assertThat(SearchProposer.repeats(space, a, env(0.003257, 0.04683, 0.004068, 297, "1024", 1, "128", 0.901, 0.009))).isFalse();
        assertThat(SearchProposer.repeats(space, a, env(0.003257, 0.04683, 0.004068, 297, "2048", 2, "128", 0.901, 0.009))).isFalse();
        // 9 of 301 warmdown steps is within 3%, 10 is not
        assertThat(SearchProposer.repeats(space, a, env(0.003257, 0.04683, 0.004068, 288, "2048", 1, "128", 0.901, 0.009))).isTrue();
        assertThat(SearchProposer.repeats(space, a, env(0.003257, 0.04683, 0.004068, 287, "2048", 1, "128", 0.901, 0.009))).isFalse();
    }

    /**
     * The first 15 candidates of one benchmark search on Tiny Golf at 30 s (MATRIX_LR EMBED_LR SCALAR_LR
     * WARMDOWN_ITERS TRAIN_BATCH_TOKENS NUM_LAYERS TRAIN_SEQ_LEN QUANT_BITS BETA2 GRAD_CLIP_NORM, then
     * val_bpb, or - where the micro run was over the 160,000-byte limit, then the micro run's artifact
     * bytes). Its 16th candidate was the 15th again, every value within 1.3% of its range.
     */
    private static final String[] BENCH = {
            "0.00294716 0.00894679 0.00228843 221 4096 2 32 8 0.937905 1.10917 - 162374",
            "0.00870683 0.00511675 0.00138831 150 4096 2 128 8 0.992791 1.51026 - 161589",
            "0.0100884 0.00576177 0.0163932 104 4096 1 64 6 0.984595 1.93682 3.79086946 98441",
            "0.0128511 0.00294603 0.0116415 17 1024 1 64 6 0.989396 1.62355 3.76485258 97973",
            "0.00387303 0.0108116 0.00150028 181 1024 2 128 6 0.93619 1.98731 3.62632787 135609",
            "0.00138104 0.0189665 0.00489328 193 2048 2 32 6 0.923349 1.31695 3.53636193 136178",
            "0.00122091 0.0459032 0.00275038 300 2048 3 32 8 0.912775 0.503521 - 211394",
            "0.00110398 0.0330247 0.00166044 282 2048 3 32 5 0.929391 0.788947 3.68164637 158189",
            "0.00114659 0.0161224 0.00108591 234 2048 3 128 6 0.911527 0.101127 - 174072",
            "0.00242842 0.0281698 0.00122065 202 2048 2 128 6 0.935174 0.0891979 3.52780714 135901",
            "0.00137117 0.0289102 0.00378858 220 2048 2 128 8 0.92027 0.136137 - 162388",
            "0.00142588 0.0385755 0.00670435 269 2048 2 32 8 0.917668 0.00575619 - 162480",
            "0.00139304 0.0280306 0.00389509 199 2048 1 128 8 0.905889 0.0311345 3.43577334 113393",
            "0.00262434 0.0417035 0.00341054 290 2048 1 128 8 0.911438 0.0322406 3.37325304 113311",
            "0.003257 0.0468346 0.00406766 297 2048 1 128 8 0.901021 0.00899771 3.35875346 113263",
    };

    private static List<Trial> benchHistory(List<SearchParam> space) {
        List<Trial> out = new ArrayList<>();
        for (String row : BENCH) {
            String[] f = row.split(" ");
            Map<String, String> e = new HashMap<>();
            for (int j = 0; j < space.size(); j++) e.put(space.get(j).name(), f[j]);
            out.add(new Trial(e, f[10].equals("-") ? null : Double.valueOf(f[10]), Long.parseLong(f[11]), 47_858L));
        }
        return out;
    }

    @Test
    void theProposerDoesNotRunTheSameConfigurationAgainWhereTpeConvergedOnIt() throws Exception {
        TaskSpec task = tinyGolf();
        List<SearchParam> space = task.search();
        List<Trial> history = benchHistory(space);
        long limit = task.limits().artifactBytes();
        int wouldRepeat = 0, saysSo = 0;
        for (long seed = 1330; seed <= 1350; seed++) {
            // the sampler alone (oversized runs out of its model, as the proposer has them): back onto a run?
            Map<String, String> plain = new TpeSampler(space, seed).sample(history, t -> t.overLimit(limit), e -> false).env();
            if (history.stream().anyMatch(t -> SearchProposer.repeats(space, plain, t.env()))) wouldRepeat++;
            Proposal p = new SearchProposer(seed).propose(new ProposalContext(task, "t", history, Map.of(), null, history.size()));
            assertThat(history).as("seed %d: %s", seed, p.description()).noneMatch(t -> SearchProposer.repeats(space, p.env(), t.env()));
            if (p.description().contains("repeating a run skipped")) saysSo++;
        }
        assertThat(wouldRepeat).as("plain TPE lands on a run already made for some seeds").isPositive();
        assertThat(saysSo).as("the descriptions say why a draw was skipped").isGreaterThanOrEqualTo(wouldRepeat);
    }
}
