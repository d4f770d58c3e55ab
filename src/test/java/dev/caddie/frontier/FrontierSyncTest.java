package dev.caddie.frontier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Submission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frontier index over a repository shaped like the challenge's (real records and labelled PRs), synced as a user syncs. */
class FrontierSyncTest {
    @TempDir Path tmp;

    private record Synced(ChallengeFixture fixture, Map<Integer, String[]> labels, ChallengeRepo mirror, Ledger index, FrontierSync.Summary first) {}

    private Synced synced() throws Exception {
        ChallengeFixture f = new ChallengeFixture(tmp.resolve("parameter-golf"));
        Map<Integer, String[]> labels = f.build();
        ChallengeRepo mirror = ChallengeRepo.at(tmp.resolve("mirror.git"));
        List<String> progress = new ArrayList<>();
        mirror.fetch(f.repo.toString(), progress::add);
        Ledger index = Ledger.open(tmp.resolve("index.db"));
        FrontierSync.Summary s = new FrontierSync(mirror, index.frontier(), progress::add).run();
        assertThat(progress).anyMatch(l -> l.startsWith("indexing PR heads: "));
        return new Synced(f, labels, mirror, index, s);
    }

    @Test
    void mainAndEveryPrHeadAreIndexedAndASecondSyncReadsOnlyWhatMoved() throws Exception {
        Synced s = synced();
        try (Ledger index = s.index(); ChallengeRepo mirror = s.mirror()) {
            assertThat(s.first().pulls()).isEqualTo(9); // 180 and 549 merged, 1644 squashed, six open
            assertThat(s.first().pullsRead()).isEqualTo(9);
            List<Submission> all = index.frontier().all();
            // a PR merged with a merge commit is found by what it changed before the merge, not by its (empty) diff to main
            Submission pr180 = all.stream().filter(x -> Integer.valueOf(180).equals(x.pr())).findFirst().orElseThrow();
            assertThat(pr180.folder()).isEqualTo(ChallengeFixture.INT5);
            assertThat(pr180.onMain()).isTrue();
            assertThat(pr180.files()).containsKeys("train_seed42.log", "train_seed1337.log", "train_gpt.py", "submission.json");
            Submission pr1644 = all.stream().filter(x -> Integer.valueOf(1644).equals(x.pr())).findFirst().orElseThrow();
            assertThat(pr1644.onMain()).as("squashed: its folder is on main").isTrue();
            Submission pr653 = all.stream().filter(x -> Integer.valueOf(653).equals(x.pr())).findFirst().orElseThrow();
            assertThat(pr653.onMain()).isFalse();
            assertThat(pr653.claimedBpb()).isEqualTo(1.1194);
            assertThat(pr653.date()).isEqualTo("2026-03-24");
            assertThat(all).noneMatch(x -> x.folder().equals(ChallengeFixture.DELETED));
            // a second sync reads nothing
            FrontierSync.Summary again = new FrontierSync(mirror, index.frontier(), l -> {}).run();
            assertThat(again.pullsRead()).isZero();
            assertThat(again.submissions()).isEqualTo(s.first().submissions());

            // a PR pushed to, a new PR, a PR ref gone: two read, one forgotten, the rest untouched
            ChallengeFixture f = s.fixture();
            f.git("checkout", "-q", "pr1002");
            Files.writeString(f.repo.resolve(s.labels().get(1002)[0] + "/train_seed3.log"), "final_int8_zlib_roundtrip_exact val_loss:1.9 val_bpb:1.1594\n");
            f.git("add", "-A");
            f.git("commit", "-q", "-m", "seed 3");
            f.pull(1002);
            f.git("checkout", "-q", "-b", "pr2000", "main");
            Files.createDirectories(f.repo.resolve("records/track_non_record_16mb/2026-05-01_New"));
            Files.writeString(f.repo.resolve("records/track_non_record_16mb/2026-05-01_New/submission.json"), "{\"val_bpb\": 1.3}");
            f.git("add", "-A");
            f.git("commit", "-q", "-m", "new");
            f.pull(2000);
            f.git("update-ref", "-d", "refs/pull/351/head");
            f.git("checkout", "-q", "main");
            mirror.fetch(f.repo.toString(), l -> {});
            FrontierSync.Summary third = new FrontierSync(mirror, index.frontier(), l -> {}).run();
            assertThat(third.pullsRead()).isEqualTo(2);
            assertThat(third.forgotten()).isEqualTo(1);
            assertThat(index.frontier().ofPr(351)).isEmpty();
            assertThat(index.frontier().ofPr(1002).get(0).files()).containsKey("train_seed3.log");
            assertThat(index.frontier().ofPr(2000)).extracting(Submission::folder).containsExactly("records/track_non_record_16mb/2026-05-01_New");
        }
    }

    @Test
    void eachLabelledPrGetsItsLabelFromTheIndexAloneCopiesFoundByBlob() throws Exception {
        Synced s = synced();
        try (Ledger index = s.index(); ChallengeRepo mirror = s.mirror()) {
            FrontierTriage t = new FrontierTriage(mirror, index.frontier(), false);
            for (Map.Entry<Integer, String[]> l : s.labels().entrySet()) {
                List<Submission> mine = t.distinct().stream().filter(x -> l.getKey().equals(t.prOf(x))).toList();
                assertThat(mine).as("PR " + l.getKey()).hasSize(1);
                FrontierTriage.Judged j = t.judge(mine.get(0));
                assertThat(j.result().verdict().code).as("PR " + l.getKey() + ": " + j.result().reasons()).isEqualTo(l.getValue()[1]);
            }
            // the copies name the PR they copied, found without being told where to look
            FrontierTriage.Judged copy = t.judge(t.distinct().stream().filter(x -> Integer.valueOf(653).equals(t.prOf(x))).findFirst().orElseThrow());
            assertThat(primary(copy)).contains("PR 549", "byte-identical to logs of");
            FrontierTriage.Judged dup = t.judge(t.distinct().stream().filter(x -> Integer.valueOf(419).equals(t.prOf(x))).findFirst().orElseThrow());
            assertThat(primary(dup)).contains("PR 180", "byte-identical");
            // 653 is PR 549's script with an activation swapped: 549 is what it builds on
            assertThat(copy.parent().folder()).isEqualTo(ChallengeFixture.LEAKY);
            JsonNode json = new ObjectMapper().readTree(index.frontier().ofPr(653).get(0).verdictJson());
            assertThat(json.get("verdict").asText()).isEqualTo("baseline-copy");
            assertThat(json.get("parent").get("pr").asInt()).isEqualTo(549);
        }
    }

    /** The evidence of the reason that made the verdict. */
    private static String primary(FrontierTriage.Judged j) {
        return j.result().reasons().stream().filter(r -> r.kind() == j.result().verdict()).findFirst().orElseThrow().evidence();
    }

    @Test
    void theRecordHistoryIsEachChangeOfTheNumberOneOnMainAndOpenPrsThatBeatIt() throws Exception {
        Synced s = synced();
        try (Ledger index = s.index(); ChallengeRepo mirror = s.mirror()) {
            FrontierTriage t = new FrontierTriage(mirror, index.frontier(), false);
            List<RecordHistory.Step> steps = RecordHistory.steps(t, SubmissionFolder.RECORD);
            assertThat(steps.get(0).folder()).endsWith("2026-03-17_NaiveBaseline");
            for (int i = 1; i < steps.size(); i++) assertThat(steps.get(i).valBpb()).isLessThan(steps.get(i - 1).valBpb());
            assertThat(steps).noneMatch(x -> x.folder().equals(ChallengeFixture.DELETED)); // merged, then deleted as invalid
            RecordHistory.Step record = steps.get(steps.size() - 1);
            assertThat(record.folder()).endsWith("2026-04-04_SP4096_DepthRecurrence_ParallelResid_MuonEqR");
            assertThat(record.valBpb()).isEqualTo(1.08971631);
            assertThat(steps).anyMatch(x -> Integer.valueOf(549).equals(x.pr()));

            List<RecordHistory.Challenger> cs = RecordHistory.challengers(t, record);
            // 1413 is a valid record below it; 120 claims 0.9588 but trained on validation; 1002 has one seed
            assertThat(cs).extracting(RecordHistory.Challenger::pr).containsExactly(1413);
            RecordHistory.Challenger c = cs.get(0);
            assertThat(c.significance()).as(c.why()).isNotNull();
            assertThat(c.significance().n()).isEqualTo(3);
            assertThat(c.significance().baseMean()).isEqualTo(record.valBpb(), org.assertj.core.data.Offset.offset(0.01));

            // with GitHub's word (a token configured): a PR closed without merging is no challenger, and triage names it
            try (GitHubStandIn gh = new GitHubStandIn("tok", "openai", "parameter-golf")) {
                gh.pulls.add(new GitHubStandIn.Pr(1413, "Record: SP8192 + QK5 + legal TTT", "closed", null, "2026-04-10T00:00:00Z"));
                new GitHubPulls(gh.url(), "openai", "parameter-golf", "tok").refresh(index.frontier());
            }
            assertThat(RecordHistory.challengers(t, record)).isEmpty();
            FrontierTriage.Judged j = t.judge(t.distinct().stream().filter(x -> Integer.valueOf(1413).equals(x.pr())).findFirst().orElseThrow());
            assertThat(j.json().get("pr_title").asText()).isEqualTo("Record: SP8192 + QK5 + legal TTT");
            assertThat(j.json().get("pr_state").asText()).isEqualTo("closed");
        }
    }

    @Test
    void theBattlePlanNamesWhatEachAcceptedSubmissionAddedOverItsParent() throws Exception {
        Synced s = synced();
        try (Ledger index = s.index(); ChallengeRepo mirror = s.mirror()) {
            FrontierTriage t = new FrontierTriage(mirror, index.frontier(), false);
            TechniqueMap map = TechniqueMap.build(t);
            // copies, rule breakers and over-limit runs are no evidence, merged or not
            assertThat(map.steps()).extracting(TechniqueMap.Step::pr).doesNotContain(653, 419, 120, 351);
            TechniqueMap.Step leaky = map.steps().stream().filter(x -> Integer.valueOf(549).equals(x.pr())).findFirst().orElseThrow();
            assertThat(leaky.parent()).isNotNull();
            assertThat(leaky.techniques()).contains("LeakyReLU", "LegalTTT", "ParallelMuon");
            assertThat(leaky.code()).isNotEmpty(); // functions, classes or settings its script has and its parent's has not
            assertThat(leaky.delta()).isNotNull();
            TechniqueMap.Technique ttt = map.techniques().stream().filter(x -> x.key().equals("legalttt")).findFirst().orElseThrow();
            assertThat(ttt.evidence()).extracting(TechniqueMap.Step::pr).contains(549, 1413);
            JsonNode json = new ObjectMapper().readTree(map.json().toString());
            assertThat(json.get("techniques").get(0).fieldNames()).toIterable().contains("technique", "status", "mean_delta_bpb", "evidence");
            assertThat(json.get("submissions").size()).isEqualTo(map.steps().size());
        }
    }

    @Test
    void eachIndexedPrIsAResearchFindingToo() throws Exception {
        Synced s = synced();
        try (Ledger index = s.index(); ChallengeRepo mirror = s.mirror()) {
            var fetch = new dev.caddie.research.ResearchFetch(index.findings(), dev.caddie.task.ResearchSettings.none(), List.of("frontier"), index.frontier(),
                    "https://github.com/openai/parameter-golf/pull/");
            var out = fetch.run(null, l -> {});
            assertThat(out).singleElement().satisfies(o -> {
                assertThat(o.error()).isNull();
                assertThat(o.fresh()).isEqualTo(9);
            });
            assertThat(index.findings().all()).anySatisfy(f -> {
                assertThat(f.title()).startsWith("PR 653: Mish");
                assertThat(f.url()).isEqualTo("https://github.com/openai/parameter-golf/pull/653");
                assertThat(f.summary()).contains("claims val_bpb 1.1194");
            });
            assertThat(fetch.run(null, l -> {}).get(0).fresh()).isZero();
        }
    }

    @Test
    void theWorkspacesOwnCandidatesThatNameATechniqueJoinItsEvidence() throws Exception {
        Synced s = synced();
        try (Ledger index = s.index(); ChallengeRepo mirror = s.mirror(); Ledger own = Ledger.open(tmp.resolve("workspace.db"))) {
            TechniqueMap map = TechniqueMap.build(new FrontierTriage(mirror, index.frontier(), false));
            tried(own, "agent: add legal TTT (score-first) to the evaluation", 1.10, 1.1050, dev.caddie.ledger.Verdict.KEEP);
            tried(own, "agent: swap the MLP activation for LeakyReLU squared", 1.12, 1.1050, dev.caddie.ledger.Verdict.DISCARD);
            tried(own, "tpe: MATRIX_LR=0.03", 1.11, 1.1050, dev.caddie.ledger.Verdict.DISCARD); // names no technique: left out
            TechniqueMap mine = map.withOwn(own);
            TechniqueMap.Technique ttt = mine.techniques().stream().filter(x -> x.key().equals("legalttt")).findFirst().orElseThrow();
            assertThat(ttt.own()).singleElement().satisfies(o -> {
                assertThat(o.verdict()).isEqualTo("keep");
                assertThat(o.delta()).isCloseTo(-0.005, org.assertj.core.data.Offset.offset(1e-9));
            });
            assertThat(ttt.status()).isEqualTo("proven"); // kept here by the noise-aware keep rule
            TechniqueMap.Technique leaky = mine.techniques().stream().filter(x -> x.key().equals("leakyrelu")).findFirst().orElseThrow();
            assertThat(leaky.own()).extracting(TechniqueMap.Own::verdict).containsExactly("discard");
            assertThat(mine.techniques().stream().flatMap(x -> x.own().stream()).map(TechniqueMap.Own::description)).noneMatch(d -> d.startsWith("tpe:"));
            assertThat(mine.json().toString()).contains("\"own\":[{\"candidate\"");
            assertThat(TechniqueMap.summary(new ObjectMapper().readTree(mine.json().toString()), 50)).anyMatch(l -> l.contains("tried here 1 time(s), 1 kept"));

            // a watched topic that research findings name and no submission does is untried; one submitted is not
            own.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "a1", "http://arxiv.org/abs/2501.1", "Value Embeddings Help Small LMs", "We add value embeddings.",
                    List.of(), "2026-01-01", "2501.1", null, null, null));
            own.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "a2", "http://arxiv.org/abs/2501.2", "Legal TTT, revisited", "Score first.",
                    List.of(), "2026-01-01", "2501.2", null, null, null));
            TechniqueMap planned = mine.withFindings(own.findings().all(), List.of("value embeddings", "legal TTT", "ternary weights"));
            TechniqueMap.Technique untried = planned.techniques().stream().filter(x -> x.status().equals("untried")).findFirst().orElseThrow();
            assertThat(untried.name()).isEqualTo("value embeddings");
            assertThat(untried.findings()).hasSize(1);
            assertThat(planned.techniques()).filteredOn(x -> x.status().equals("untried")).hasSize(1);
            assertThat(TechniqueMap.summary(new ObjectMapper().readTree(planned.json().toString()), 500))
                    .contains("value embeddings: untried, in 1 research finding(s), in no submission yet");
        }
    }

    private static void tried(Ledger l, String description, double score, double bestBefore, String verdict) {
        long cid = l.addCandidate("t", "c" + description.hashCode(), "p", "agent:a", description, Map.of(), 1, 1, 1);
        long rid = l.startRun(cid, "local", 1337, "local", null);
        l.finishRun(rid, new Ledger.RunFinish("ok", 1000, 0, "sha", "final", score, 2.0, 15_000_000L, 50_000L, 600_000L, 1000, 10_000L, null, 0.0));
        l.addVerdict(cid, rid, verdict, "test", bestBefore);
    }

    /** The statuses from the deltas alone: a confirmed gain proves a technique; never a gain, twice or confirmed, ends it. */
    @Test
    void aTechniqueIsProvenByAConfirmedGainAndADeadEndWhenItNeverGains() {
        Submission base = row(1, "records/track_10min_16mb/2026-03-20_Base");
        java.util.function.BiFunction<String, Object[], TechniqueMap.Step> step = (tech, d) -> new TechniqueMap.Step(row(2, "records/track_10min_16mb/x_" + tech),
                null, base, null, 0.9, List.of(tech), List.of(), (Double) d[0], 3, 3, (Double) d[1], (Boolean) d[2]);
        List<TechniqueMap.Technique> ts = TechniqueMap.techniques(List.of(
                step.apply("EMA", new Object[]{-0.004, 0.001, true}),
                step.apply("EMA", new Object[]{0.001, 0.5, false}),
                step.apply("Dropout", new Object[]{0.002, 0.3, false}),
                step.apply("Dropout", new Object[]{0.0005, 0.6, false}),
                step.apply("WiderMLP", new Object[]{-0.001, 0.2, false}),
                step.apply("Ternary", new Object[]{0.03, 0.001, true})));
        java.util.Map<String, String> status = new java.util.HashMap<>();
        ts.forEach(x -> status.put(x.name(), x.status()));
        assertThat(status).containsEntry("EMA", "proven").containsEntry("Dropout", "dead-end").containsEntry("WiderMLP", "exploring")
                .containsEntry("Ternary", "dead-end");
        assertThat(ts.get(0).name()).isEqualTo("EMA"); // proven first
    }

    private static Submission row(long id, String folder) {
        return new Submission(id, "main", null, "c", folder, SubmissionFolder.RECORD, "t" + id, "2026-03-20", null, null, 1.1, null, null, true, Map.of(), null, null);
    }

    @Test
    void aSourceThatIsNoRepositoryOrHasNoBranchesIsNamed() throws Exception {
        ChallengeRepo mirror = ChallengeRepo.at(tmp.resolve("m.git"));
        assertThatThrownBy(() -> mirror.fetch(tmp.resolve("nowhere").toString(), l -> {}))
                .hasMessageContaining("nowhere").hasMessageContaining("no such folder");
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        assertThatThrownBy(() -> mirror.fetch(plain.toString(), l -> {})).hasMessageContaining("git fetch from");
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        new ProcessBuilder("git", "init", "-q", empty.toString()).start().waitFor();
        assertThatThrownBy(() -> ChallengeRepo.at(tmp.resolve("m2.git")).fetch(empty.toString(), l -> {})).hasMessageContaining("has no branches");
    }
}
