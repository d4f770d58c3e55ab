// The frontier at the challenge's scale: a repository shaped like openai/parameter-golf with N pull-request heads
// (default 2,000; the real one had 2,000+ submissions), written with git fast-import, then the real `caddie` CLI:
// the first sync (mirror fetch + index), a second sync with nothing moved, one PR pushed to, triage of everything
// (without and with lint), a re-run that keeps verdicts, and the battle plan. Run with bench/frontier-scale [N].
//
// Each submission has a submission.json, three seed logs in the challenge's format (~130 lines each) and a script of
// ~1,100 lines derived from the baseline with its own edits; a fifth of the PRs copy an earlier one's logs or
// script, a tenth touch no records folder, a tenth are merged by a merge commit, 150 records sit on main.
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

public class FrontierScale {
    static final SplittableRandom RNG = new SplittableRandom(42);
    static int mark = 0;

    public static void main(String[] args) throws Exception {
        int pulls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path caddie = Path.of(args.length > 1 ? args[1] : "caddie").toAbsolutePath();
        Path tmp = Files.createTempDirectory("caddie-bench-frontier-");
        Path repo = tmp.resolve("parameter-golf");
        long t0 = System.currentTimeMillis();
        generate(repo, pulls);
        System.out.printf(Locale.ROOT, "generated %s: %,d PR heads, 150 records on main, in %.1f s (%s on disk)%n", repo, pulls,
                (System.currentTimeMillis() - t0) / 1000.0, du(repo));
        Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "CADDIE_PLAIN", "1");

        double first = timed(caddie, tmp, env, "frontier", "sync", "--repo", repo.toString());
        double second = timed(caddie, tmp, env, "frontier", "sync", "--repo", repo.toString());
        git(repo, "update-ref", "refs/pull/7/head", git(repo, "rev-parse", "refs/pull/8/head").strip());
        double moved = timed(caddie, tmp, env, "frontier", "sync", "--repo", repo.toString());
        double noLint = timed(caddie, tmp, env, "triage", "--all", "--no-lint", "--repo", repo.toString());
        double lint = timed(caddie, tmp, env, "triage", "--all", "--fresh", "--repo", repo.toString());
        double kept = timed(caddie, tmp, env, "triage", "--all", "--repo", repo.toString());
        double plan = timed(caddie, tmp, env, "frontier", "techniques", "--repo", repo.toString());
        double history = timed(caddie, tmp, env, "frontier", "--repo", repo.toString(), "--include-prs");
        System.out.println();
        System.out.printf(Locale.ROOT, "%-58s %8s%n", "step (caddie process, wall time)", "seconds");
        row("frontier sync, first (fetch into a mirror + index)", first);
        row("frontier sync, nothing moved", second);
        row("frontier sync, one PR head moved", moved);
        row("triage --all --no-lint (every submission, first time)", noLint);
        row("triage --all --fresh (with lint: one python3 per script)", lint);
        row("triage --all (verdicts kept for unchanged folders)", kept);
        row("frontier techniques (battle plan over accepted ones)", plan);
        row("frontier --include-prs (history + challengers)", history);
        System.out.printf(Locale.ROOT, "cores: %d%n", Runtime.getRuntime().availableProcessors());
        deleteTree(tmp);
    }

    static void row(String what, double s) { System.out.printf(Locale.ROOT, "%-58s %8.1f%n", what, s); }

    static double timed(Path caddie, Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(caddie.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        List<String> tail = new ArrayList<>();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                tail.add(l);
                if (tail.size() > 3) tail.remove(0);
            }
        }
        int rc = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "$ caddie %s  (%.1f s, exit %d)%n", String.join(" ", args).replace(dir.toString(), "$TMP"), s, rc);
        for (String l : tail) System.out.println("    " + l);
        if (rc > 1) throw new IllegalStateException("caddie " + String.join(" ", args) + " failed with exit " + rc);
        return s;
    }

    // ------------------------------------------------------------------ the synthetic challenge repository

    record Folder(String path, Map<String, byte[]> files) {}

    static void generate(Path repo, int pulls) throws Exception {
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        List<String> baseline = baselineScript();
        Process fi = new ProcessBuilder("git", "fast-import", "--quiet").directory(repo.toFile()).redirectErrorStream(true).start();
        try (OutputStream out = new BufferedOutputStream(fi.getOutputStream(), 1 << 20)) {
            // main: the baseline, then 150 records in batches of 10
            int mainMark = commit(out, "refs/heads/main", -1, List.of(new Folder("", Map.of("train_gpt.py", join(baseline)))), "launch", 0);
            List<Folder> made = new ArrayList<>();
            List<Integer> mains = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                made.add(submission(baseline, i, null));
                if (made.size() % 10 == 0) {
                    mainMark = commit(out, "refs/heads/main", mainMark, made.subList(made.size() - 10, made.size()), "records batch", i);
                    mains.add(mainMark);
                }
            }
            for (int pr = 1; pr <= pulls; pr++) {
                double roll = RNG.nextDouble();
                Folder f;
                if (roll < 0.1) f = new Folder("", Map.of("README.md", ("docs tweak " + pr + "\n").getBytes(StandardCharsets.UTF_8)));
                else if (roll < 0.3 && !made.isEmpty()) f = copyOf(made.get(RNG.nextInt(made.size())), pr);
                else f = submission(baseline, 150 + pr, made.isEmpty() ? null : made.get(RNG.nextInt(made.size())));
                int parent = mains.get(RNG.nextInt(mains.size()));
                int head = commit(out, "refs/pull/" + pr + "/head", parent, List.of(f), "PR " + pr, 1000 + pr);
                if (!f.path().isEmpty()) made.add(f);
                if (roll > 0.9 && !f.path().isEmpty()) { // merged with a merge commit
                    mainMark = merge(out, mainMark, head, f, pr);
                    mains.add(mainMark);
                }
            }
            out.write("done\n".getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(fi.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (fi.waitFor() != 0) throw new IllegalStateException("git fast-import: " + said);
        git(repo, "reset", "-q", "--hard", "main");
    }

    static int commit(OutputStream out, String ref, int parent, List<Folder> folders, String msg, int t) throws IOException {
        int m = ++mark;
        StringBuilder b = new StringBuilder();
        b.append("commit ").append(ref).append('\n').append("mark :").append(m).append('\n');
        b.append("committer bench <b@b> ").append(1773800000L + t * 600L).append(" +0000\n");
        byte[] msgBytes = msg.getBytes(StandardCharsets.UTF_8);
        b.append("data ").append(msgBytes.length).append('\n').append(msg).append('\n');
        if (parent > 0) b.append("from :").append(parent).append('\n');
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        for (Folder f : folders)
            for (Map.Entry<String, byte[]> e : f.files().entrySet()) {
                String path = f.path().isEmpty() ? e.getKey() : f.path() + "/" + e.getKey();
                out.write(("M 100644 inline " + path + "\ndata " + e.getValue().length + "\n").getBytes(StandardCharsets.UTF_8));
                out.write(e.getValue());
                out.write('\n');
            }
        out.write('\n');
        return m;
    }

    static int merge(OutputStream out, int mainMark, int head, Folder f, int pr) throws IOException {
        int m = ++mark;
        String msg = "Merge PR #" + pr;
        StringBuilder b = new StringBuilder("commit refs/heads/main\nmark :" + m + "\ncommitter bench <b@b> " + (1773800000L + (1000 + pr) * 600L + 60) + " +0000\n");
        b.append("data ").append(msg.length()).append('\n').append(msg).append('\n');
        b.append("from :").append(mainMark).append('\n').append("merge :").append(head).append('\n');
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : f.files().entrySet()) {
            out.write(("M 100644 inline " + f.path() + "/" + e.getKey() + "\ndata " + e.getValue().length + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(e.getValue());
            out.write('\n');
        }
        out.write('\n');
        return m;
    }

    /** A submission built on the baseline (or on an earlier one): a few edited lines, a new function, three seeds. */
    static Folder submission(List<String> baseline, int n, Folder on) {
        List<String> lines = new ArrayList<>(on == null ? baseline : List.of(new String(on.files().get("train_gpt.py"), StandardCharsets.UTF_8).split("\n", -1)));
        for (int k = 0; k < 3 + RNG.nextInt(12); k++) lines.set(RNG.nextInt(lines.size()), "    tweak_" + n + "_" + k + " = " + RNG.nextInt(1000));
        String tech = "Technique" + RNG.nextInt(60);
        lines.add("def " + tech.toLowerCase(Locale.ROOT) + "_" + n + "(x):\n    return x * " + RNG.nextInt(9));
        int day = 17 + n * 45 / 2300;
        String date = String.format(Locale.ROOT, "2026-%02d-%02d", 3 + (day - 1) / 31, 1 + (day - 1) % 31);
        String path = "records/" + (RNG.nextDouble() < 0.8 ? "track_10min_16mb" : "track_non_record_16mb") + "/" + date + "_" + tech + "_Sub" + n;
        double bpb = 1.25 - n * 0.00008 + RNG.nextDouble() * 0.01;
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] script = join(lines);
        double sum = 0;
        for (int seed : new int[]{1337, 42, 2025}) {
            double v = bpb + (RNG.nextDouble() - 0.5) * 0.002;
            sum += v;
            files.put("train_seed" + seed + ".log", log(script.length, v, seed));
        }
        files.put("submission.json", String.format(Locale.ROOT, "{\"name\": \"%s\", \"val_bpb\": %.8f, \"date\": \"%s\", \"github_id\": \"user%d\"}\n",
                tech, sum / 3, date, n % 97).getBytes(StandardCharsets.UTF_8));
        files.put("train_gpt.py", script);
        files.put("README.md", ("# " + tech + "\n").getBytes(StandardCharsets.UTF_8));
        return new Folder(path, files);
    }

    /** A PR that re-submits an earlier one's files under a new folder: half keep its script, all keep its logs. */
    static Folder copyOf(Folder f, int pr) {
        Map<String, byte[]> files = new LinkedHashMap<>(f.files());
        if (RNG.nextBoolean()) files.put("train_gpt.py", (new String(f.files().get("train_gpt.py"), StandardCharsets.UTF_8) + "# cosmetic " + pr + "\n").getBytes(StandardCharsets.UTF_8));
        return new Folder(f.path() + "_copy" + pr, files);
    }

    static byte[] log(int codeBytes, double bpb, int seed) {
        StringBuilder b = new StringBuilder();
        b.append("seed:").append(seed).append("\nmodel_params:35943512\n");
        double loss = 4.0;
        for (int step = 0; step <= 5000; step += 50) {
            loss = loss * 0.985 + 0.02;
            b.append(String.format(Locale.ROOT, "step:%d/20000 train_loss:%.4f train_time:%dms step_avg:115.0ms%n", step, loss, step * 115));
        }
        b.append("stopping_early: wallclock_cap train_time: 589000ms step: 5120/20000\n");
        b.append("Serialized model: 135426937 bytes\nCode size: ").append(codeBytes).append(" bytes\n");
        b.append("Serialized model quantized+brotli: 15").append(100000 + seed % 700000).append(" bytes\n");
        b.append("Total submission size quantized+brotli: ").append(15_100_000 + seed % 700_000 + codeBytes).append(" bytes\n");
        b.append(String.format(Locale.ROOT, "final_int8_zlib_roundtrip_exact val_loss:%.8f val_bpb:%.8f eval_time:80000ms%n", bpb * 2.58, bpb));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static List<String> baselineScript() throws IOException {
        for (String d : new String[]{System.getenv("CADDIE_TESTDATA"), System.getenv("CADDIE_SHARED_DATA"), "../shared/data"}) {
            if (d == null) continue;
            Path p = Path.of(d, "pgolf-scripts/baseline/train_gpt.py");
            if (Files.isRegularFile(p)) return new ArrayList<>(List.of(Files.readString(p).split("\n", -1)));
        }
        List<String> out = new ArrayList<>(); // no challenge data here: a script of the baseline's size
        for (int i = 0; i < 1100; i++) out.add(i % 25 == 0 ? "def f" + i + "(x):" : "    y" + i + " = x * " + (i % 7) + "  # step " + i);
        return out;
    }

    static byte[] join(List<String> lines) { return String.join("\n", lines).getBytes(StandardCharsets.UTF_8); }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
        return out;
    }

    static String du(Path p) throws Exception {
        Process pr = new ProcessBuilder("du", "-sh", p.toString()).start();
        return new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\t")[0];
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
