package dev.caddie.agent;

import dev.caddie.ledger.Hypothesis;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.task.Presets;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DecisionStateTest {
    @TempDir Path tmp;

    @Test
    void aThousandExperimentsStillFitTheBudgetWithTheNewestFirstToGo() throws Exception {
        TaskSpec task = new TaskSpecReader().parse(tmp, "caddie.toml", Presets.text("parameter-golf"));
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            for (int i = 0; i < 1000; i++) {
                String desc = "experiment " + i + ": raise the warmdown and try a longer explanation of the idea behind it that goes on and on " + "x".repeat(i % 50);
                long cid = l.addCandidate("t", "c" + i, "p", i == 0 ? "baseline" : "agent:a", desc, Map.of("MATRIX_LR", "0.0" + (i % 9 + 1)), 1, 2, 3);
                long rid = l.startRun(cid, "local", 1337, "local", null);
                l.finishRun(rid, new Ledger.RunFinish("ok", 1000, 0, "sha", "final", 1.2 - i * 1e-5, 2.0, 15_000_000L, 50_000L, 600_000L, 1000, 10_000L, null, 0.0));
                l.addVerdict(cid, rid, i % 3 == 0 ? Verdict.KEEP : Verdict.DISCARD, "gain " + i + " against a noise threshold of 0.0021 (2.0 sigma)", 1.2);
                if (i > 0) l.addHypothesis(cid, new Hypothesis("a", i % 3 != 0 && i % 10 == 1 ? "add dropout to the MLP, try " + i : "warmdown schedule change number " + i, -0.002, "b", "r", 10L, 5L, 0.01, null));
            }
            // the public frontier: the synced record and the battle plan, proven techniques first
            l.setMeta("frontier.record_bpb", "1.0811");
            l.setMeta("frontier.record_folder", "records/track_10min_16mb/2026-04-09_SP8192_3LayerRecur");
            StringBuilder plan = new StringBuilder("{\"techniques\": [");
            for (int i = 0; i < 40; i++)
                plan.append(i == 0 ? "" : ",").append("{\"technique\": \"Technique").append(i).append("\", \"status\": \"").append(i < 3 ? "proven" : "exploring")
                        .append("\", \"mean_delta_bpb\": -0.00").append(i % 9 + 1).append(", \"confirmed\": 1, \"evidence\": [{}]}");
            java.nio.file.Files.writeString(tmp.resolve("technique_map.json"), plan.append("]}").toString());
            String state = DecisionState.render(task, l, "t");
            assertThat(state).contains("current record: 1.0811 (records/track_10min_16mb/2026-04-09_SP8192_3LayerRecur)",
                    "- Technique0: proven, mean delta -0.0010 bpb, 1 submission(s), 1 confirmed");
            assertThat(state.length()).isLessThanOrEqualTo(DecisionState.MAX_CHARS);
            assertThat(DecisionState.sections(state)).containsExactly("Rules", "Current best", "Latest experiments (newest last)", "Dead ends (do not repeat)",
                    "Learned rules", "Public frontier", "Open research findings", "Budget");
            assertThat(state).contains("#1000 agent:a").contains("artifact (script bytes + compressed model) <= 16,000,000 bytes").contains("1000 experiments so far");
            // dropout was only ever discarded (a learned rule); warmdown also won, so it is not one:
            assertThat(state).contains("'dropout' failed").doesNotContain("'warmdown' failed");
        }
    }

    @Test
    void reflectionsStrategyAndGradedFindingsJoinTheStateWithinItsBudget() throws Exception {
        TaskSpec task = new TaskSpecReader().parse(tmp, "caddie.toml", Presets.text("parameter-golf"));
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            for (int i = 0; i < 1000; i++) {
                long cid = l.addCandidate("t", "c" + i, "p", i == 0 ? "baseline" : "agent:a", "experiment " + i + " " + "y".repeat(i % 40),
                        i % 2 == 0 ? Map.of("MATRIX_LR", "0.0" + (i % 9 + 1)) : Map.of("WARMDOWN_ITERS", String.valueOf(1000 + i)), 1, 2, 3);
                long rid = l.startRun(cid, "local", 1337, "local", null);
                boolean crash = i % 7 == 3;
                l.finishRun(rid, new Ledger.RunFinish(crash ? "crashed" : "ok", 1000, crash ? 1 : 0, "sha", "final", crash ? null : 1.2 - i * 1e-5, 2.0,
                        15_000_000L, 50_000L, 600_000L, 1000, 10_000L, crash ? "CUDA out of memory" : null, 0.0));
                l.addVerdict(cid, rid, crash ? Verdict.CRASH : i % 3 == 0 ? Verdict.KEEP : Verdict.DISCARD,
                        crash ? "crashed: CUDA out of memory at step " + i : "gain " + i + " under the noise threshold", 1.2 - (i - 1) * 1e-5);
            }
            for (int i = 0; i < 30; i++) {
                long f = l.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "x" + i, "https://arxiv.org/abs/" + i, "Paper number " + i + " on optimizers",
                        "s", java.util.List.of(), "2026-11-01", null, null, "{}", null)).id();
                l.findings().addGrade(new dev.caddie.ledger.FindingGrade(f, "graded", i % 3 == 0 ? "A" : "B",
                        "{\"expected_gain_bpb\": 0.00" + (i % 9 + 1) + "}", "plan " + i + ": try it on the micro tier " + "z".repeat(200), null, "m", 10, 10, 0.001, null));
            }
            java.nio.file.Files.writeString(tmp.resolve("technique_map.json"), """
                    {"techniques": [{"technique": "XSA", "status": "proven", "own": [{"candidate": 5, "verdict": "keep"}]},
                                    {"technique": "EMA", "status": "proven", "own": [{"candidate": 5, "verdict": "keep"}, {"candidate": 7, "verdict": "discard"}]},
                                    {"technique": "TTT", "status": "exploring", "own": [{"candidate": 7, "verdict": "discard"}]}],
                     "submissions": [{"folder": "a", "techniques": ["XSA", "EMA"], "delta_bpb": -0.004, "confirmed": true},
                                     {"folder": "b", "techniques": ["EMA", "TTT"], "delta_bpb": 0.002, "confirmed": false}]}""");
            String strategy = new dev.caddie.research.Reflection(task, l).write(null);
            var map = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("technique_map.json").toFile());
            assertThat(map.path("edges").toString()).contains("{\"a\":\"EMA\",\"b\":\"XSA\",\"relation\":\"composes\",\"evidence\":2,\"against\":0}")
                    .contains("{\"a\":\"EMA\",\"b\":\"TTT\",\"relation\":\"conflicts\",\"evidence\":2,\"against\":0}");
            assertThat(map.path("techniques")).hasSize(3);
            assertThat(strategy).contains("1000 experiments").contains("MATRIX_LR: 499 tried").contains("WARMDOWN_ITERS: 500 tried")
                    .contains("crash: crashed: CUDA out of memory at step N").contains("Next experiments").contains("finding ");
            assertThat(tmp.resolve("strategy.md")).exists();
            String state = DecisionState.render(task, l, "t");
            assertThat(state.length()).isLessThanOrEqualTo(DecisionState.MAX_CHARS);
            assertThat(DecisionState.sections(state)).contains("Open research findings", "Strategy (strategy.md, from caddie research reflect)");
            assertThat(state).contains("(tier A): Paper number");
        }
    }
}
