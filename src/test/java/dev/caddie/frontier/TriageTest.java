package dev.caddie.frontier;

import dev.caddie.SharedData;
import dev.caddie.rules.ScriptCode;
import dev.caddie.run.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Triage on real pull requests of the challenge, labelled by hand (shared data pgolf-pr-triage), and on bad folders. */
class TriageTest {
    @TempDir Path tmp;

    /** The labelled PRs: number to (folder in the repo, label). */
    private static Map<String, String[]> labels() throws Exception {
        Map<String, String[]> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(SharedData.file("pgolf-pr-triage/labels.tsv"));
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split("\t");
            out.put(f[0], new String[]{f[2], f[4]});
        }
        return out;
    }

    /** The PR's files laid out at their path in the repository, so the folder's path names its track. */
    private Path laidOut(String pr, String folder) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(pr).resolve(folder));
        try (Stream<Path> s = Files.list(SharedData.file("pgolf-pr-triage/" + pr))) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }

    private static ScriptCode baseline() throws Exception { return ScriptCode.read(SharedData.file("pgolf-scripts/baseline/train_gpt.py")); }

    @Test
    void eachLabelledPullRequestThatNeedsNoOtherSubmissionGetsItsLabel() throws Exception {
        Map<String, String[]> labels = labels();
        for (String pr : List.of("1413", "1644", "1002", "351", "120")) {
            String[] l = labels.get(pr);
            Triage.Result r = Triage.judge(SubmissionFolder.fromDir(laidOut(pr, l[0])), baseline(), List.of(), false);
            assertThat(r.verdict().code).as("PR " + pr + ": " + r.reasons() + r.notes()).isEqualTo(l[1]);
        }
    }

    @Test
    void theEvidenceNamesTheFileLineAndNumbers() throws Exception {
        Map<String, String[]> labels = labels();
        Triage.Result unbacked = Triage.judge(SubmissionFolder.fromDir(laidOut("1002", labels.get("1002")[0])), null, List.of(), false);
        assertThat(unbacked.reasons().get(0).evidence()).contains("1.1594", "1.17029157", "train_seed1.log:4018", "ttt_chunk");
        Triage.Result over = Triage.judge(SubmissionFolder.fromDir(laidOut("351", labels.get("351")[0])), null, List.of(), false);
        assertThat(over.reasons().get(0).evidence()).contains("train.log:103", "610,471 ms", "10.5 s past");
        assertThat(over.artifactBytes()).containsExactly(15_070_662L); // the shipped int6+zstd total, not the discarded 17.4 MB int8 line
        Triage.Result valid = Triage.judge(SubmissionFolder.fromDir(laidOut("1413", labels.get("1413")[0])), null, List.of(), false);
        assertThat(valid.notes()).anyMatch(n -> n.contains("mean of 3 logs' legal_ttt_exact"));
        assertThat(valid.seeds()).isEqualTo(3);
    }

    @Test
    void logsOrFilesOfAnEarlierSubmissionMakeACopyOrADuplicate() throws Exception {
        Map<String, String[]> labels = labels();
        Path copy = laidOut("653", labels.get("653")[0]);
        // the earlier PR whose logs these are, run with other code
        Path earlier = Files.createDirectories(tmp.resolve("earlier/records/track_10min_16mb/2026-03-23_LeakyReLU"));
        for (String log : List.of("train_seed1337.log", "train_seed2025.log", "train_seed42.log")) Files.copy(copy.resolve(log), earlier.resolve(log));
        Files.writeString(earlier.resolve("train_gpt.py"), "print('the earlier script')\n");
        Triage.Result r = Triage.judge(SubmissionFolder.fromDir(copy), null, List.of(SubmissionFolder.fromDir(earlier)), false);
        assertThat(r.verdict()).isEqualTo(Triage.Verdict.BASELINE_COPY);
        assertThat(r.reasons().get(0).evidence()).contains("byte-identical to logs of", "which ran other code");

        Path dup = laidOut("419", labels.get("419")[0]);
        Path original = Files.createDirectories(tmp.resolve("orig/records/track_10min_16mb/2026-03-20_10L_Int5MLP"));
        Files.copy(dup.resolve("train_gpt.py"), original.resolve("train_gpt.py"));
        Files.copy(dup.resolve("train.log"), original.resolve("train_seed42.log"));
        Triage.Result d = Triage.judge(SubmissionFolder.fromDir(dup), null, List.of(SubmissionFolder.fromDir(original)), false);
        assertThat(d.verdict().code).isEqualTo(labels.get("419")[1]);
    }

    @Test
    void aSubmissionIsReadFromACommitOfAClone() throws Exception {
        Map<String, String[]> labels = labels();
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Git.run(repo, "init", "-q");
        Files.copy(SharedData.file("pgolf-scripts/baseline/train_gpt.py"), repo.resolve("train_gpt.py"));
        String folder = labels.get("1413")[0];
        Path dir = Files.createDirectories(repo.resolve(folder));
        try (Stream<Path> s = Files.list(SharedData.file("pgolf-pr-triage/1413"))) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        Git.run(repo, "add", "-A");
        Git.run(repo, "commit", "-qm", "PR 1413");
        String head = Git.run(repo, "rev-parse", "HEAD").strip();
        Triage.Result r = Triage.judge(SubmissionFolder.fromCommit(repo, head, folder), null, List.of(), false);
        assertThat(r.verdict()).isEqualTo(Triage.Verdict.VALID_RECORD);
        assertThat(r.where()).startsWith(head.substring(0, 9) + ":records/track_10min_16mb/");
        assertThatThrownBy(() -> SubmissionFolder.fromCommit(repo, head, "records/nope")).hasMessageContaining("no such folder in that commit");
        assertThatThrownBy(() -> SubmissionFolder.fromCommit(repo, "deadbeef", folder)).hasMessageContaining("no commit deadbeef");
    }

    @Test
    void aFolderWithoutLogsOrWithBrokenJsonGetsAVerdictNamingTheFile() throws Exception {
        Path bare = Files.createDirectories(tmp.resolve("records/track_10min_16mb/bare"));
        Files.writeString(bare.resolve("submission.json"), "{\"val_bpb\": 1.05,");
        Files.writeString(bare.resolve("requirements.txt"), "torch\n");
        Triage.Result r = Triage.judge(SubmissionFolder.fromDir(bare), null, List.of(), false);
        assertThat(r.verdict()).isEqualTo(Triage.Verdict.CLAIMS_UNBACKED);
        assertThat(r.reasons()).extracting(Triage.Reason::evidence)
                .anyMatch(e -> e.startsWith("submission.json is not valid JSON")).anyMatch(e -> e.startsWith("no train logs"));
        assertThatThrownBy(() -> SubmissionFolder.fromDir(tmp.resolve("missing"))).hasMessageContaining("no such folder");
    }

    @Test
    void aClaimIsMatchedToThePrecisionItIsWrittenIn() {
        assertThat(Triage.tolerance("1.1594")).isBetween(4.9e-5, 5.1e-5);
        assertThat(Triage.tolerance("1.08279384")).isBetween(4.9e-9, 5.1e-9);
    }
}
