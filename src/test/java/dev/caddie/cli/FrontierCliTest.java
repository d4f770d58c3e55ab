package dev.caddie.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.TestWorkspace;
import dev.caddie.frontier.ChallengeFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `caddie frontier` and `caddie triage --pr/--all` as a real process, against a repository shaped like the
 * challenge's: from a reviewer's folder with only a clone (cached under XDG_CACHE_HOME), and inside a workspace.
 */
class FrontierCliTest {
    @TempDir static Path tmp;
    static Path repo;

    @BeforeAll
    static void challenge() throws Exception {
        ChallengeFixture f = new ChallengeFixture(tmp.resolve("parameter-golf"));
        f.build();
        repo = f.repo;
    }

    private record Out(int code, String text) {}

    private static Out caddie(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.caddie.cli.CaddieCommand"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("Exception in thread", "\tat ");
        return new Out(p.exitValue(), text);
    }

    @Test
    void aReviewerWithOnlyACloneTriagesAPrAndReadsTheRecordHistory() throws Exception {
        Path anywhere = Files.createDirectories(tmp.resolve("reviewer"));
        Out copy = caddie(anywhere, "triage", "--repo", repo.toString(), "--pr", "653", "--no-lint");
        assertThat(copy.code()).as(copy.text()).isEqualTo(1);
        assertThat(copy.text()).contains("fetching " + repo, "synced: 9 PR heads", "PR 653 records/track_10min_16mb/2026-03-24_Mish_LegalTTT_ParallelMuon: baseline-copy",
                "byte-identical to logs of PR 549", "builds on: main " + ChallengeFixture.LEAKY);
        try (var s = Files.list(tmp.resolve("cache/caddie/frontier"))) {
            assertThat(s.toList()).singleElement().satisfies(d -> assertThat(d.resolve("repo.git")).isDirectory());
        }

        Out history = caddie(anywhere, "frontier", "--repo", repo.toString(), "--json");
        assertThat(history.code()).as(history.text()).isZero();
        assertThat(history.text()).contains("synced: 9 PR heads (0 read now"); // the second sync reads nothing
        List<JsonNode> lines = new ArrayList<>();
        for (String l : history.text().split("\n")) if (l.startsWith("{")) lines.add(new ObjectMapper().readTree(l));
        assertThat(lines.get(lines.size() - 1).get("val_bpb").asDouble()).isEqualTo(1.08971631);
        assertThat(lines).allSatisfy(j -> assertThat(j.fieldNames()).toIterable().contains("date", "val_bpb", "folder", "pr", "commit"));

        Out prs = caddie(anywhere, "frontier", "--repo", repo.toString(), "--include-prs", "--no-lint");
        assertThat(prs.text()).contains("open PRs that triage as valid records and beat 1.08971631", "PR 1413", "seeds)");

        Out all = caddie(anywhere, "triage", "--repo", repo.toString(), "--all", "--no-lint", "--json");
        assertThat(all.code()).as(all.text()).isZero();
        int verdicts = 0;
        for (String l : all.text().split("\n")) if (l.startsWith("{")) {
            assertThat(new ObjectMapper().readTree(l).get("verdict").asText()).isNotEqualTo("error");
            verdicts++;
        }
        assertThat(verdicts).isGreaterThan(40);
        assertThat(all.text()).containsPattern("\\d+ submissions triaged in [0-9.]+ s \\(\\d verdicts kept.*\\): \\{.*baseline-copy=1.*duplicate=1");
        // a second run keeps what the index holds for unchanged files
        Out again = caddie(anywhere, "triage", "--repo", repo.toString(), "--all", "--no-lint");
        assertThat(again.text()).containsPattern("(\\d+) submissions triaged in [0-9.]+ s \\(\\1 verdicts kept");

        Out unknown = caddie(anywhere, "triage", "--repo", repo.toString(), "--pr", "99999", "--no-lint");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.text()).contains("PR 99999 is not in the index");
        assertThat(caddie(anywhere, "triage", "--repo", repo.toString(), "--all", "--since", "yesterday").text()).contains("--since 'yesterday' is not a date");
        assertThat(caddie(anywhere, "frontier", "--repo", tmp.resolve("nope").toString()).text()).contains("no such folder, and not a URL");
    }

    @Test
    void insideAWorkspaceTheIndexLivesInTheLedgerAndIsSyncedOnce() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Out before = caddie(ws, "frontier");
        assertThat(before.code()).isEqualTo(2);
        assertThat(before.text()).contains("no frontier index yet: run `caddie frontier sync`");
        Out sync = caddie(ws, "frontier", "sync", "--repo", repo.toString());
        assertThat(sync.code()).as(sync.text()).isZero();
        assertThat(ws.resolve(".caddie/frontier/challenge.git")).isDirectory();
        assertThat(sync.text()).contains("current record (track_10min_16mb): 1.08971631 (records/track_10min_16mb/2026-04-04_SP4096");
        Out plan = caddie(ws, "frontier", "techniques", "--no-lint");
        assertThat(plan.code()).as(plan.text()).isZero();
        assertThat(plan.text()).contains("LegalTTT", "PR 549 2026-03-23_LeakyReLU_LegalTTT_ParallelMuon on ");
        assertThat(ws.resolve("technique_map.json")).isRegularFile();
        Out valid = caddie(ws, "triage", "--pr", "1413", "--no-lint");
        assertThat(valid.code()).as(valid.text()).isZero();
        assertThat(valid.text()).contains("valid-record", "the claim is the mean of 3 logs' legal_ttt_exact").doesNotContain("fetching");
        Out again = caddie(ws, "frontier", "sync"); // from where it was synced last
        assertThat(again.text()).contains("fetching " + repo, "0 read now");
    }
}
