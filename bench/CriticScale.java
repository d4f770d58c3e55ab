// The critic on a long history: a ledger with N candidates (default 10,000), most of them failures, each with
// its change fingerprinted as the loop does; then new candidates judged against all of it, timed per candidate
// (loading the failures from the ledger and comparing signatures, as CandidateMaker does), and the share of
// planted near-repeats it catches. Run with bench/critic-scale [N].
import dev.caddie.gate.ChangeFingerprint;
import dev.caddie.gate.Critic;
import dev.caddie.ledger.Ledger;
import dev.caddie.task.CriticSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

public class CriticScale {
    static final String[] KNOBS = {"NUM_LAYERS", "MODEL_DIM", "MLP_MULT", "MATRIX_LR", "EMBED_LR", "WARMDOWN_ITERS", "QK_GAIN_INIT", "LOGIT_SOFTCAP"};

    /** A diff of the kind agents write: one to six changed lines drawn from a pool of real-looking edits. */
    static String diff(SplittableRandom r, List<String> pool) {
        StringBuilder b = new StringBuilder("--- a/train_gpt.py\n+++ b/train_gpt.py\n@@ -1,1 +1,1 @@\n");
        int lines = 1 + r.nextInt(6);
        for (int i = 0; i < lines; i++) {
            String l = pool.get(r.nextInt(pool.size()));
            b.append('-').append(l).append('\n');
            b.append('+').append(l.replaceAll("\\d+", String.valueOf(r.nextInt(4096)))).append('\n');
        }
        return b.toString();
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int probes = 200;
        Path data = Path.of(System.getenv().getOrDefault("CADDIE_TESTDATA", "../shared/data"), "pgolf-scripts/baseline/train_gpt.py");
        List<String> pool = new ArrayList<>();
        if (Files.isRegularFile(data)) for (String l : Files.readAllLines(data)) if (l.strip().length() > 12 && l.matches(".*\\d.*")) pool.add(l);
        if (pool.isEmpty()) for (int i = 0; i < 400; i++) pool.add("    x" + i + " = int(os.environ.get(\"K" + i + "\", " + i + "))");
        System.out.printf("edit pool: %d lines (%s)%n", pool.size(), Files.isRegularFile(data) ? "the challenge's baseline" : "synthetic");

        Path dir = Files.createTempDirectory("caddie-critic-bench-");
        SplittableRandom r = new SplittableRandom(7);
        List<String> diffs = new ArrayList<>();
        List<String> parents = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
            long fpNanos = 0;
            for (int i = 0; i < n; i++) {
                String parent = "p" + (i / 50);  // a new best every 50 candidates
                String d = diff(r, pool);
                Map<String, String> env = r.nextInt(3) == 0 ? Map.of(KNOBS[r.nextInt(KNOBS.length)], String.valueOf(r.nextInt(100))) : Map.of();
                long cid = ledger.addCandidate("t", "c" + i, parent, "bench", "candidate " + i, env, 1, 3, 3);
                long f0 = System.nanoTime();
                ChangeFingerprint fp = ChangeFingerprint.of(d, env);
                fpNanos += System.nanoTime() - f0;
                ledger.putChangeFingerprint(cid, parent, fp.changedLines(), ChangeFingerprint.bytes(fp.signature()));
                String v = switch (r.nextInt(10)) { case 0, 1, 2, 3, 4 -> "discard"; case 5, 6 -> "crash"; case 7 -> "rejected"; default -> "keep"; };
                ledger.addVerdict(cid, null, v, v + " in the bench", 1.2);
                if (env.isEmpty()) { diffs.add(d); parents.add(parent); }
            }
            System.out.printf("built a %,d-candidate ledger in %.1f s; fingerprint per change %.3f ms%n", n, (System.nanoTime() - t0) / 1e9, fpNanos / 1e6 / n);

            Critic critic = new Critic(CriticSettings.defaults());
            int caught = 0, planted = 0, falseAlarms = 0;
            long judgeNanos = 0;
            for (int k = 0; k < probes; k++) {
                boolean repeat = k % 2 == 0;
                String d, parent;
                if (repeat) { // a failure resubmitted with its spacing changed and a comment added
                    int j = r.nextInt(diffs.size());
                    d = diffs.get(j).replace(" = ", "  =  ").replace("\n+", "\n+    # retry\n+");
                    parent = parents.get(j);
                } else {
                    d = diff(r, pool);
                    parent = "p-new";
                }
                long j0 = System.nanoTime();
                List<Critic.Past> history = ledger.failedChanges().stream()
                        .map(f -> new Critic.Past(f.candidateId(), f.parent(), ChangeFingerprint.signature(f.signature()), f.verdict(), f.reason())).toList();
                Critic.Judgement j = critic.judge(parent, ChangeFingerprint.of(d, Map.of()), history, null);
                judgeNanos += System.nanoTime() - j0;
                boolean rejected = !j.passed();
                if (repeat) {
                    // a planted repeat of a keep is no failure: only count those of failures
                    boolean ofFailure = history.stream().anyMatch(h -> h.parent().equals(parent) && ChangeFingerprint.of(d, Map.of()).similarity(h.signature()) >= 0.9);
                    if (ofFailure) { planted++; if (rejected) caught++; }
                } else if (rejected) falseAlarms++;
            }
            int failures = ledger.failedChanges().size();
            System.out.printf("critic per candidate against %,d failures: %.1f ms (load from the ledger + compare), %d probes%n",
                    failures, judgeNanos / 1e6 / probes, probes);
            System.out.printf("planted repeats of failures caught: %d of %d; fresh changes rejected: %d of %d%n", caught, planted, falseAlarms, probes / 2);
        }
    }
}
