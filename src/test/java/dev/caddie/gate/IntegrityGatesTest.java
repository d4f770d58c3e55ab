package dev.caddie.gate;

import dev.caddie.SharedData;
import dev.caddie.data.TokenShard;
import dev.caddie.run.Git;
import dev.caddie.task.Presets;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The lint and overlap gates on a Parameter Golf workspace (a git repo holding the real baseline script). */
class IntegrityGatesTest {
    @TempDir Path ws;

    private TaskSpec workspace() throws Exception {
        Files.copy(SharedData.file("pgolf-scripts/baseline/train_gpt.py"), ws.resolve("train_gpt.py"));
        Git.run(ws, "init", "-q");
        Git.run(ws, "-c", "user.name=t", "-c", "user.email=t@t", "add", "train_gpt.py");
        Git.run(ws, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "baseline");
        return new TaskSpecReader().parse(ws, "caddie.toml", Presets.text("parameter-golf"));
    }

    @dev.caddie.Needs(dev.caddie.Requirement.PYTHON3)

    @Test
    void theLintGatePassesTheBaselineAndRejectsANonCausalCandidateNamingTheLine() throws Exception {
        TaskSpec task = workspace();
        GateResult clean = new IntegrityLintGate().check(new CandidateChange(task, ws, List.of()));
        assertThat(clean.passed()).isTrue();
        assertThat(clean.reason()).isEqualTo("train_gpt.py: clean");
        String text = Files.readString(ws.resolve("train_gpt.py"));
        Files.writeString(ws.resolve("train_gpt.py"), text.replace("is_causal=True,", "is_causal=False,"));
        GateResult leak = new IntegrityLintGate().check(new CandidateChange(task, ws, List.of("train_gpt.py")));
        assertThat(leak.passed()).isFalse();
        assertThat(leak.reason()).containsPattern("train_gpt.py:\\d+: violation CAUSALITY_LEAK");
        // A changed byte count passes, kept for review in the reason the ledger stores:
        Files.writeString(ws.resolve("train_gpt.py"), text.replace("len(piece.encode(\"utf-8\"))", "len(piece.encode(\"utf-8\")) + 1"));
        GateResult review = new IntegrityLintGate().check(new CandidateChange(task, ws, List.of("train_gpt.py")));
        assertThat(review.passed()).isTrue();
        assertThat(review.reason()).startsWith("passes with findings for review").contains("BPB_ACCOUNTING");
    }

    @Test
    void theOverlapGateRunsWhenDataPreparationChangesAndRejectsALeak() throws Exception {
        TaskSpec task = workspace();
        Path data = Files.createDirectories(ws.resolve("data/datasets/fineweb10B_sp1024"));
        char[] val = {1, 5, 6, 7, 8, 9, 10, 1, 20, 21, 22, 23, 24};
        char[] train = {1, 30, 31, 32, 33, 1, 5, 6, 7, 8, 9, 10, 1, 40, 41};
        TokenShard.write(data.resolve("fineweb_val_000000.bin"), val, 0, val.length);
        TokenShard.write(data.resolve("fineweb_train_000000.bin"), train, 0, train.length);
        GateResult untouched = new OverlapGate().check(new CandidateChange(task, ws, List.of("train_gpt.py")));
        assertThat(untouched.passed()).isTrue();
        assertThat(untouched.reason()).isEqualTo("no data-preparation code changed");
        GateResult leak = new OverlapGate().check(new CandidateChange(task, ws, List.of("data/cached_challenge_fineweb.py")));
        assertThat(leak.passed()).isFalse();
        assertThat(leak.reason()).contains("1 of 2 validation documents found in training");
    }
}
