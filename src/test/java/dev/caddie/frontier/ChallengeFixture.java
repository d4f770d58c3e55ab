package dev.caddie.frontier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.SharedData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A repository shaped like the challenge's, built from its real records and PRs (shared data): the baseline at the
 * root; records on main landing in batches, two by merge commit from their PRs (549 and 180 as the real ones were)
 * and one squashed (1644); a record merged and then deleted as invalid; and the labelled PRs open at
 * refs/pull/N/head, as GitHub serves them.
 */
public final class ChallengeFixture {
    public static final String DELETED = "records/track_10min_16mb/2026-03-22_TooGoodToBeTrue";
    static final String RECORD_DIR = "records/track_10min_16mb/";
    public static final String LEAKY = RECORD_DIR + "2026-03-23_LeakyReLU_LegalTTT_ParallelMuon", INT5 = RECORD_DIR + "2026-03-20_10L_Int5MLP_MuonWD04_SWA50";
    /** The last record-track day on main: the labelled PR 1413 (2026-04-06) is open and beats it. */
    static final String LAST_DAY = "2026-04-04";

    public final Path repo;
    private final Path data;
    private int tick;

    public ChallengeFixture(Path dir) throws IOException {
        this.repo = dir;
        this.data = SharedData.dir();
        Files.createDirectories(dir);
        git("init", "-q", "-b", "main");
        Files.copy(data.resolve("pgolf-scripts/baseline/train_gpt.py"), dir.resolve("train_gpt.py"));
        Files.writeString(dir.resolve("README.md"), "# Parameter Golf\n");
        commit("Launch: the baseline", "2026-03-18T00:00:00Z");
    }

    /** Builds the whole history; returns the labelled PRs: number to {folder, label}. */
    public Map<Integer, String[]> build() throws IOException {
        Map<Integer, String[]> labels = labels();
        // records on main, five to a commit, oldest first, except those that come by their PRs below
        List<JsonNode> subs = new ArrayList<>();
        for (String l : Files.readAllLines(data.resolve("pgolf-submissions.jsonl"))) {
            JsonNode j = new ObjectMapper().readTree(l);
            String folder = "records/" + j.get("track").asText() + "/" + j.get("folder").asText();
            if (folder.equals(LEAKY) || folder.equals(INT5) || folder.contains("Mamba3Hybrid")) continue;
            if (j.get("track").asText().equals("track_10min_16mb") && j.get("folder").asText().substring(0, 10).compareTo(LAST_DAY) > 0) continue;
            subs.add(j);
        }
        int n = 0;
        for (JsonNode j : subs) {
            String folder = "records/" + j.get("track").asText() + "/" + j.get("folder").asText();
            writeRecord(folder, j);
            if (++n % 5 == 0 || n == subs.size()) commit("Add " + Math.min(5, n % 5 == 0 ? 5 : n % 5) + " records", "2026-04-05T00:00:00Z");
        }
        // PR 180 (the 10L Int5-MLP record, merged by a merge commit) with the seed-42 log and script PR 419 copied
        String base = head();
        git("checkout", "-q", "-b", "pr180");
        writeRecord(INT5, submission(INT5));
        Files.copy(data.resolve("pgolf-pr-triage/419/train.log"), repo.resolve(INT5 + "/train_seed42.log"));
        Files.copy(data.resolve("pgolf-pr-triage/419/train_gpt.py"), repo.resolve(INT5 + "/train_gpt.py"));
        commit("10L Int5-MLP", "2026-03-20T12:00:00Z");
        pull(180);
        git("checkout", "-q", "main");
        git("merge", "-q", "--no-ff", "-m", "Merge PR #180", "pr180");
        // PR 549 (LeakyReLU + legal TTT): its script and the three logs PR 653 later re-submitted
        git("checkout", "-q", "-b", "pr549", base);
        writeRecord(LEAKY, submission(LEAKY));
        for (String log : List.of("train_seed1337.log", "train_seed2025.log", "train_seed42.log"))
            Files.copy(data.resolve("pgolf-pr-triage/653/" + log), repo.resolve(LEAKY + "/" + log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        commit("LeakyReLU legal TTT", "2026-03-23T12:00:00Z");
        pull(549);
        git("checkout", "-q", "main");
        git("merge", "-q", "--no-ff", "-m", "Merge PR #549", "pr549");
        // a record merged, then deleted as invalid: it must never show as #1
        Files.createDirectories(repo.resolve(DELETED));
        Files.writeString(repo.resolve(DELETED + "/submission.json"), "{\"name\": \"too good\", \"val_bpb\": 1.0001, \"date\": \"2026-03-22\"}\n");
        commit("Add a record", "2026-03-22T12:00:00Z");
        git("rm", "-q", "-r", DELETED);
        commit("Remove an invalid record (validation data in training)", "2026-03-26T00:00:00Z");
        // the labelled PRs: 1644 squashed onto main, the others open
        String launch = head();
        for (Map.Entry<Integer, String[]> e : labels.entrySet()) {
            int pr = e.getKey();
            git("checkout", "-q", "-b", "pr" + pr, launch);
            Path dir = Files.createDirectories(repo.resolve(e.getValue()[0]));
            try (Stream<Path> s = Files.list(data.resolve("pgolf-pr-triage/" + pr))) {
                for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
            }
            commit("PR " + pr, "2026-04-2" + (pr % 10) + "T00:00:00Z");
            pull(pr);
            git("checkout", "-q", "main");
            if (pr == 1644) {
                git("merge", "-q", "--squash", "pr1644");
                commit("Mamba3 hybrid (#1644)", "2026-04-28T00:00:00Z");
            }
        }
        return labels;
    }

    /** A PR opened from the current branch head: GitHub's refs/pull/N/head. */
    public void pull(int pr) throws IOException { git("update-ref", "refs/pull/" + pr + "/head", head()); }

    String head() throws IOException { return git("rev-parse", "HEAD").strip(); }

    static Map<Integer, String[]> labels() throws IOException {
        Map<Integer, String[]> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(SharedData.file("pgolf-pr-triage/labels.tsv"));
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split("\t");
            out.put(Integer.parseInt(f[0]), new String[]{f[2], f[4]});
        }
        return out;
    }

    private JsonNode submission(String folder) throws IOException {
        String name = folder.substring(folder.lastIndexOf('/') + 1);
        for (String l : Files.readAllLines(data.resolve("pgolf-submissions.jsonl"))) {
            JsonNode j = new ObjectMapper().readTree(l);
            if (j.get("folder").asText().equals(name)) return j;
        }
        throw new IllegalStateException(name);
    }

    /** submission.json from the record's real one, its logs and script where the shared data has them. */
    private void writeRecord(String folder, JsonNode j) throws IOException {
        Path dir = Files.createDirectories(repo.resolve(folder));
        Files.writeString(dir.resolve("submission.json"), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(j.get("submission")));
        String name = j.get("folder").asText();
        for (String kind : List.of("pgolf-logs/", "pgolf-scripts/")) {
            Path src = data.resolve(kind + name);
            if (!Files.isDirectory(src)) continue;
            try (Stream<Path> s = Files.list(src)) {
                for (Path p : s.toList()) if (!p.getFileName().toString().contains(".decoded.")) Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
    }

    private void commit(String message, String date) throws IOException {
        git("add", "-A");
        // one second apart at least, so that "newest first" in git's walks is the order they were made
        String when = date.replace("T00:00:00Z", String.format("T00:00:%02dZ", tick++ % 60));
        run(List.of("git", "commit", "-q", "--allow-empty", "-m", message), Map.of("GIT_AUTHOR_DATE", when, "GIT_COMMITTER_DATE", when));
    }

    public String git(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of());
    }

    private String run(List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@t", "GIT_COMMITTER_NAME", "t", "GIT_COMMITTER_EMAIL", "t@t"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(cmd + ": " + out);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return out;
    }
}
