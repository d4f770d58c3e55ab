package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.rules.Significance;
import dev.caddie.rules.SubmissionFile;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "significance", sortOptions = false,
        description = {"Does a candidate beat the record by the challenge's rule (mean val_loss better by >= 0.005 nats at p < 0.01 over seeds)?",
                "Welch's t-test against baseline seeds, a one-sample t-test against a constant otherwise; exit 1 when not significant."})
final class SignificanceCommand implements Callable<Integer> {
    @Option(names = "--candidate", arity = "1..*", paramLabel = "LOG", description = "the candidate's train logs, one per seed")
    List<Path> candidateLogs = new ArrayList<>();
    @Option(names = "--candidate-json", paramLabel = "FILE", description = "or a submission.json with per-seed results")
    Path candidateJson;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Baseline baseline;

    static final class Baseline {
        @Option(names = "--baseline", arity = "1..*", paramLabel = "LOG", description = "the standing record's train logs")
        List<Path> logs;
        @Option(names = "--baseline-json", paramLabel = "FILE", description = "the standing record's submission.json")
        Path json;
        @Option(names = "--baseline-loss", paramLabel = "NATS", description = "the standing record's mean val_loss")
        Double loss;
        @Option(names = "--baseline-bpb", paramLabel = "BPB", description = "the standing record's mean val_bpb (the test then runs on bpb)")
        Double bpb;
    }

    @Option(names = "--margin", defaultValue = "0.005", description = "required improvement in nats (default: ${DEFAULT-VALUE})")
    double margin;
    @Option(names = "--alpha", defaultValue = "0.01", description = "significance level (default: ${DEFAULT-VALUE})")
    double alpha;
    @Option(names = "--variant", defaultValue = "challenge", description = "challenge (the rule) or as-quoted (how records computed their quoted p-values) (default: ${DEFAULT-VALUE})")
    String variant;
    @Option(names = "--claimed-bpb", paramLabel = "BPB", description = "the score claimed for the candidate (default: the candidate JSON's val_bpb), to check it is the mean")
    Double claimedBpb;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    private record Seeds(List<Double> loss, List<Double> bpb, String source) {
        boolean hasLoss() { return !loss.isEmpty() && loss.stream().allMatch(v -> v != null); }

        boolean hasBpb() { return !bpb.isEmpty() && bpb.stream().allMatch(v -> v != null); }

        double[] values(boolean useLoss) { return (useLoss ? loss : bpb).stream().mapToDouble(Double::doubleValue).toArray(); }
    }

    @Override
    public Integer call() throws Exception {
        Significance.Variant v = Significance.Variant.parse(variant);
        if (!(alpha > 0 && alpha < 0.5))
            throw new IllegalArgumentException("--alpha must be a probability above 0 and below 0.5 (the rule's is 0.01), got " + alpha);
        if (!(margin >= 0 && margin < 10))
            throw new IllegalArgumentException("--margin must be 0 or a positive number of nats below 10 (the rule's is 0.005), got " + margin);
        for (Double d : new Double[]{baseline.loss, baseline.bpb})
            if (d != null && !(d > 0 && d < 100))
                throw new IllegalArgumentException("the baseline's val_loss or val_bpb must be a positive number (e.g. 2.0727), got " + d);
        List<Path> all = new ArrayList<>(candidateLogs);
        if (baseline.logs != null) all.addAll(baseline.logs);
        refuseCopies(all);
        if (candidateLogs.isEmpty() && candidateJson == null) throw new IllegalArgumentException("no candidate: give --candidate LOG... (one per seed) or --candidate-json FILE");
        Seeds cand = candidateJson != null ? fromJson(candidateJson) : fromLogs(candidateLogs);
        Seeds base = baseline.logs != null ? fromLogs(baseline.logs) : baseline.json != null ? fromJson(baseline.json) : null;
        boolean useLoss = baseline.bpb == null && cand.hasLoss() && (base == null || base.hasLoss());
        if (!useLoss && !cand.hasBpb()) throw new IllegalArgumentException(cand.source() + ": not every seed has val_bpb (nor val_loss on both sides)");
        if (useLoss && base != null) {
            // val_loss is nats per token: two tokenizers' losses are not on one scale. Their bpb-per-nat ratios
            // (tokens per byte / ln 2) tell the tokenizers apart; the challenge's comparison is then on val_bpb.
            double rc = bpbPerNat(cand), rb = bpbPerNat(base);
            if (!Double.isNaN(rc) && !Double.isNaN(rb) && Math.abs(rc / rb - 1) > 0.01)
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the candidate and the baseline were scored with different tokenizers "
                        + "(%.4f and %.4f bits per byte per nat of val_loss), so their val_loss, in nats per token, cannot be compared; "
                        + "compare val_bpb instead: --baseline-bpb with the baseline's mean val_bpb", rc, rb));
        }
        double[] c = cand.values(useLoss);
        if (c.length < 2)
            throw new IllegalArgumentException("only " + c.length + " candidate seed (" + cand.source() + "): significance needs at least 2, and the rule asks for 3 — run more seeds");
        double[] b = base == null ? null : base.values(useLoss);
        double constant = base != null ? Double.NaN : useLoss ? baseline.loss : baseline.bpb;
        double ratio = bpbPerNat(cand);
        double marginInMetric = useLoss ? margin : margin * ratio;
        if (!useLoss && Double.isNaN(ratio))
            throw new IllegalArgumentException("the test runs on bpb but the candidate seeds lack val_loss to convert the " + margin + " nat margin; give --baseline-loss instead");
        Significance.Result r = Significance.test(useLoss ? "val_loss" : "val_bpb", c, b != null && b.length == 1 ? null : b, b != null && b.length == 1 ? b[0] : constant,
                marginInMetric, alpha, v);
        Double claimed = claimedBpb;
        if (claimed == null && candidateJson != null) claimed = SubmissionFile.read(candidateJson).valBpb();
        String claimNote = null;
        if (claimed != null && cand.hasBpb() && Significance.claimIsBestSeed(claimed, cand.values(false)))
            claimNote = String.format(Locale.ROOT, "the claimed %.8f is the best single seed, not the %d-seed mean %.8f", claimed, c.length,
                    java.util.Arrays.stream(cand.values(false)).average().orElse(Double.NaN));
        if (json) System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(r, ratio, claimNote)));
        else print(r, ratio, claimNote);
        return r.significant() ? 0 : 1;
    }

    /** Two byte-identical logs are one run given twice: as seeds they would fake a spread of zero. */
    static void refuseCopies(List<Path> logs) throws Exception {
        java.util.Map<String, Path> seen = new java.util.HashMap<>();
        for (Path p : logs) {
            if (!Files.isRegularFile(p)) continue; // named as missing when read
            Path other = seen.putIfAbsent(dev.caddie.run.Runner.sha256(p), p);
            if (other != null)
                throw new IllegalArgumentException(p + " and " + other + " are the same log, byte for byte: seeds must be separate runs (one log per seed)");
        }
    }

    private static Seeds fromLogs(List<Path> logs) throws Exception {
        List<Double> loss = new ArrayList<>(), bpb = new ArrayList<>();
        LogParser parser = new LogParser();
        for (Path p : logs) {
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException(p + ": no such file");
            LogSummary s = parser.parse(p);
            if (s.score() == null) throw new IllegalArgumentException(p + ": no final metric line (e.g. 'final_int8_zlib_roundtrip_exact val_loss:… val_bpb:…'); did the run finish?");
            loss.add(Double.isNaN(s.score().valLoss()) ? null : s.score().valLoss());
            bpb.add(s.score().valBpb());
        }
        return new Seeds(loss, bpb, logs.size() + " log" + (logs.size() == 1 ? "" : "s"));
    }

    private static Seeds fromJson(Path file) throws Exception {
        SubmissionFile s = SubmissionFile.read(file);
        List<Double> loss = new ArrayList<>(), bpb = new ArrayList<>();
        s.seeds().values().forEach(x -> { loss.add(x.valLoss()); bpb.add(x.valBpb()); });
        if (s.seeds().isEmpty()) {
            if (s.valLoss() != null) loss.add(s.valLoss());
            if (s.valBpb() != null) bpb.add(s.valBpb());
        }
        return new Seeds(loss, bpb, file.toString());
    }

    private static double bpbPerNat(Seeds s) {
        if (!s.hasLoss() || !s.hasBpb()) return Double.NaN;
        double r = 0;
        for (int i = 0; i < s.loss().size(); i++) r += s.bpb().get(i) / s.loss().get(i) / s.loss().size();
        return r;
    }

    private static void print(Significance.Result r, double ratio, String claimNote) {
        boolean nats = r.metric().equals("val_loss");
        System.out.printf(Locale.ROOT, "candidate: %d seeds, mean %s %.8f (sd %.6f)%s%n", r.n(), r.metric(), r.candMean(), r.candSd(), other(nats, r.candMean(), ratio));
        System.out.printf(Locale.ROOT, "baseline:  %s %s %.8f%s%s%n", r.baseN() >= 2 ? r.baseN() + " seeds, mean" : "constant", r.metric(), r.baseMean(),
                r.baseSd() == null ? "" : String.format(Locale.ROOT, " (sd %.6f)", r.baseSd()), other(nats, r.baseMean(), ratio));
        System.out.printf(Locale.ROOT, "difference: %+.8f %s%s; margin %.6f%n", r.diff(), nats ? "nats" : "bpb", other(nats, r.diff(), ratio), r.margin());
        System.out.printf(Locale.ROOT, "%s: t = %.4f, df = %.4f, p = %.3g%n", r.test(), r.t(), r.df(), r.p());
        if (claimNote != null) System.out.println("note: " + claimNote);
        System.out.println(r.verdict());
    }

    private static String other(boolean nats, double v, double ratio) {
        if (Double.isNaN(ratio)) return "";
        return nats ? String.format(Locale.ROOT, " = %.8f bpb", v * ratio) : String.format(Locale.ROOT, " = %.8f nats", v / ratio);
    }

    private static ObjectNode json(Significance.Result r, double ratio, String claimNote) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("variant", r.variant().code).put("test", r.test()).put("metric", r.metric()).put("n", r.n()).put("candidate_mean", r.candMean()).put("candidate_sd", r.candSd())
                .put("baseline_n", r.baseN()).put("baseline_mean", r.baseMean()).put("difference", r.diff()).put("margin", r.margin())
                .put("t", r.t()).put("df", r.df()).put("p", r.p()).put("alpha", r.alpha()).put("significant", r.significant()).put("verdict", r.verdict());
        if (r.baseSd() != null) o.put("baseline_sd", r.baseSd());
        if (!Double.isNaN(ratio)) o.put("bpb_per_nat", ratio);
        if (claimNote != null) o.put("claim_is_best_seed", claimNote);
        return o;
    }
}
