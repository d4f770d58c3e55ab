package dev.caddie.loop;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Ledger;
import dev.caddie.rules.SubmissionFile;
import dev.caddie.run.Git;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Packaging real Tiny Golf runs (three seeds on the fast test tier) as a records folder, and refusing bad ones. */
class SubmissionBuilderTest {
    @TempDir static Path tmp;
    static Path ws;
    static TaskSpec task;
    static long candidate;
    static List<Path> logs = new ArrayList<>();

    @BeforeAll
    static void threeSeedsOfACandidate() throws Exception {
        ws = TestWorkspace.create(tmp.resolve("ws"));
        task = TaskSpecReader.read(ws);
        String base = new Git(ws).revParse("HEAD");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            l.addCandidate("sub", base, base, "baseline", "baseline", Map.of(), 0, 0, 0);
            candidate = l.addCandidate("sub", base, base, "scripted", "matrix lr 0.03", Map.of("MATRIX_LR", "0.03"), 0, 0, 0);
            RecordedRuns runs = new RecordedRuns(task, l, new Runner(new LocalExecutor()), new LoopListener() {});
            for (long seed : new long[]{1, 2, 3}) logs.add(runs.execute(candidate, task.tier("test"), Map.of("MATRIX_LR", "0.03"), ws, seed).logFile());
        }
    }

    private SubmissionBuilder.Request request(String track, Path out, Double frontierBpb, int minSeeds) {
        return new SubmissionBuilder.Request("sub", null, "test", "Tiny LR", "Ada", "ada", track, out, minSeeds, 600, null, frontierBpb, null);
    }

    @Test
    void aNonRecordSubmissionRoundTripsThroughTheReaderOfRealRecords() throws Exception {
        Path out = tmp.resolve("records/tiny-lr");
        Files.createDirectories(out.getParent());
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            SubmissionBuilder b = new SubmissionBuilder(task, l);
            var req = request(SubmissionBuilder.NON_RECORD_TRACK, out, null, 3);
            var ch = b.check(req);
            assertThat(ch.failures()).isEmpty();
            assertThat(ch.candidate().id()).isEqualTo(candidate);
            b.write(req, ch);
        }
        assertThat(out.resolve("train.java")).hasSameBinaryContentAs(ws.resolve("train.java"));
        for (int i = 0; i < 3; i++) assertThat(out.resolve("train_seed" + (i + 1) + ".log")).hasSameBinaryContentAs(logs.get(i));
        SubmissionFile s = SubmissionFile.read(out.resolve("submission.json"));
        assertThat(s.name()).isEqualTo("Tiny LR");
        assertThat(s.author()).isEqualTo("Ada");
        assertThat(s.githubId()).isEqualTo("ada");
        assertThat(s.seeds()).containsOnlyKeys("1", "2", "3");
        double meanBpb = s.seeds().values().stream().mapToDouble(SubmissionFile.Seed::valBpb).average().orElseThrow();
        assertThat(s.valBpb()).isCloseTo(meanBpb, org.assertj.core.api.Assertions.within(1e-8));
        assertThat(s.bytesTotal()).isEqualTo(s.seeds().values().stream().mapToLong(SubmissionFile.Seed::artifactBytes).max().orElseThrow());
        assertThat(s.bytesCode()).isEqualTo(Files.size(ws.resolve("train.java")));
        assertThat(s.compliance()).containsEntry("three_seeds", true).containsEntry("artifact_under_16mb", true).containsEntry("train_under_600s", true)
                .containsEntry("eval_under_600s", true);
        String readme = Files.readString(out.resolve("README.md"));
        assertThat(readme).contains("# Tiny LR").contains("| 1 |").contains("| 3 |").contains("MATRIX_LR=0.03").contains("SEED=2").contains("| 20 |");
    }

    @Test
    void theRecordTrackRefusesWithoutAFrontierAndWithoutSignificanceAndWritesNothing() throws Exception {
        Path out = tmp.resolve("refused");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            SubmissionBuilder b = new SubmissionBuilder(task, l);
            assertThat(b.check(request(SubmissionBuilder.RECORD_TRACK, out, null, 3)).failures()).anyMatch(f -> f.contains("needs the frontier"));
            // A frontier the 20-step runs cannot beat by the margin:
            var ch = b.check(request(SubmissionBuilder.RECORD_TRACK, out, 1.0, 3));
            assertThat(ch.failures()).anyMatch(f -> f.startsWith("significance against the frontier: NOT SIGNIFICANT"));
            assertThatThrownBy(() -> b.write(request(SubmissionBuilder.RECORD_TRACK, out, 1.0, 3), ch)).hasMessageContaining("refusing");
            // A frontier far above: the record is significant.
            var ok = b.check(request(SubmissionBuilder.RECORD_TRACK, out, 9.0, 3));
            assertThat(ok.failures()).isEmpty();
            assertThat(ok.significance().significant()).isTrue();
            // Too few seeds for what is asked:
            assertThat(b.check(request(SubmissionBuilder.NON_RECORD_TRACK, out, null, 4)).failures()).anyMatch(f -> f.contains("3 seeds on tier test; at least 4"));
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void aSeedOverTheArtifactLimitIsNamed() throws Exception {
        Path toml = ws.resolve("caddie.toml");
        String before = Files.readString(toml);
        try {
            Files.writeString(toml, before.replaceFirst("artifact_bytes = \\d+", "artifact_bytes = 1000"));
            TaskSpec tight = TaskSpecReader.read(ws);
            try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
                var ch = new SubmissionBuilder(tight, l).check(request(SubmissionBuilder.NON_RECORD_TRACK, tmp.resolve("x"), null, 3));
                assertThat(ch.failures()).filteredOn(f -> f.contains("is over the 1,000 limit")).hasSize(3);
            }
        } finally {
            Files.writeString(toml, before);
        }
    }
}
