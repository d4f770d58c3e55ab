package dev.caddie.frontier;

import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Submission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a real repository throws at the index: folders without logs, broken JSON, binary "logs", PRs that touch no
 * records folder, and a repository that is not the challenge's. Each gets a verdict or a clear answer; none stops
 * the rest. Built here from scratch, so it runs without the challenge data.
 */
class FrontierBadInputTest {
    @TempDir Path tmp;

    private String git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    private void write(Path repo, String path, String text) throws Exception {
        Files.createDirectories(repo.resolve(path).getParent());
        Files.writeString(repo.resolve(path), text);
    }

    private void pr(Path repo, int n, Map<String, byte[]> files) throws Exception {
        git(repo, "checkout", "-q", "-b", "pr" + n, "main");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.createDirectories(repo.resolve(f.getKey()).getParent());
            Files.write(repo.resolve(f.getKey()), f.getValue());
        }
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "pr " + n);
        git(repo, "update-ref", "refs/pull/" + n + "/head", "HEAD");
        git(repo, "checkout", "-q", "main");
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void everyBadSubmissionGetsAVerdictAndNoneStopsTheOthers() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("challenge"));
        git(repo, "init", "-q", "-b", "main");
        write(repo, "train_gpt.py", "print('baseline')\n");
        write(repo, "records/track_10min_16mb/2026-03-18_Base/submission.json", "{\"val_bpb\": 1.2244, \"date\": \"2026-03-18\"}");
        write(repo, "records/track_10min_16mb/2026-03-18_Base/train.log", "final_int8_zlib_roundtrip_exact val_loss:2.07 val_bpb:1.2244\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "launch");
        String r = "records/track_10min_16mb/";
        pr(repo, 1, Map.of(r + "2026-03-20_NoLogs/submission.json", b("{\"val_bpb\": 1.1}")));
        pr(repo, 2, Map.of(r + "2026-03-20_BrokenJson/submission.json", b("{\"val_bpb\": 1.1,"),
                r + "2026-03-20_BrokenJson/train.log", b("final_int8_zlib_roundtrip_exact val_loss:1.9 val_bpb:1.1\n")));
        pr(repo, 3, Map.of(r + "2026-03-20_BinaryLog/submission.json", b("{\"val_bpb\": 1.1}"),
                r + "2026-03-20_BinaryLog/train.log", new byte[]{0, 1, 2, (byte) 0xff, 0, 9}));
        pr(repo, 4, Map.of("README.md", b("a typo fixed\n")));
        pr(repo, 5, Map.of(r + "2026-03-20_Unknown/submission.json", b("{\"val_bpb\": 1.1}"),
                r + "2026-03-20_Unknown/results.txt", b("we got a great score, trust us\n")));

        ChallengeRepo mirror = ChallengeRepo.at(tmp.resolve("m.git"));
        mirror.fetch(repo.toString(), l -> {});
        try (Ledger index = Ledger.open(tmp.resolve("i.db")); mirror) {
            FrontierSync.Summary s = new FrontierSync(mirror, index.frontier(), l -> {}).run();
            assertThat(s.pulls()).isEqualTo(5);
            assertThat(index.frontier().ofPr(4)).as("a PR that touches no records folder has no submission").isEmpty();
            FrontierTriage t = new FrontierTriage(mirror, index.frontier(), false);
            for (Submission x : t.distinct()) {
                FrontierTriage.Judged j = t.judge(x);
                assertThat(j.result().reasons()).as(x.label()).isNotNull();
            }
            assertThat(verdict(t, 1)).isEqualTo("claims-unbacked");
            assertThat(reasons(t, 1)).anyMatch(e -> e.contains("no train logs"));
            assertThat(reasons(t, 2)).anyMatch(e -> e.contains("submission.json is not valid JSON"));
            assertThat(verdict(t, 3)).isEqualTo("claims-unbacked");
            assertThat(reasons(t, 5)).anyMatch(e -> e.contains("no train logs")); // a .txt that is no train log is not read as one
            assertThat(RecordHistory.steps(t, SubmissionFolder.RECORD)).singleElement().satisfies(x -> assertThat(x.valBpb()).isEqualTo(1.2244));
        }
    }

    private static String verdict(FrontierTriage t, int pr) throws Exception { return judged(t, pr).result().verdict().code; }

    private static List<String> reasons(FrontierTriage t, int pr) throws Exception {
        return judged(t, pr).result().reasons().stream().map(Triage.Reason::evidence).toList();
    }

    private static FrontierTriage.Judged judged(FrontierTriage t, int pr) throws Exception {
        return t.judge(t.distinct().stream().filter(x -> Integer.valueOf(pr).equals(x.pr())).findFirst().orElseThrow());
    }

    @Test
    void aRepositoryThatIsNotTheChallengesIndexesNothingAndSaysSo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("other"));
        git(repo, "init", "-q", "-b", "trunk");
        write(repo, "src/main.c", "int main() { return 0; }\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "c");
        ChallengeRepo mirror = ChallengeRepo.at(tmp.resolve("o.git"));
        mirror.fetch(repo.toString(), l -> {});
        try (Ledger index = Ledger.open(tmp.resolve("o.db")); mirror) {
            FrontierSync.Summary s = new FrontierSync(mirror, index.frontier(), l -> {}).run();
            assertThat(s.mainFolders()).isZero();
            assertThat(s.submissions()).isZero();
            assertThat(mirror.main().name()).isEqualTo("refs/heads/trunk"); // the source's own default branch
            assertThat(RecordHistory.steps(new FrontierTriage(mirror, index.frontier(), false), SubmissionFolder.RECORD)).isEmpty();
        }
    }
}
