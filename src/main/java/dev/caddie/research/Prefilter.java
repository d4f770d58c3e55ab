package dev.caddie.research;

import dev.caddie.rules.ArtifactEstimate;
import dev.caddie.rules.ArtifactEstimator;
import dev.caddie.rules.Compressor;
import dev.caddie.rules.ExportSpec;
import dev.caddie.rules.Quantizer;
import dev.caddie.rules.TensorGroup;
import dev.caddie.rules.WeightPrior;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deterministic first pass over a finding, before any model tokens are spent: the parameter count and bit
 * width its title and abstract state ("125M parameters", "a 1.3B-parameter model", "2-bit", "INT4", "ternary",
 * "1.58-bit"), and when both are there, the artifact `caddie check constraints` predicts for that model, bit-packed
 * and compressed. Over the task's artifact limit at the smallest size and width the text names, the technique
 * cannot be used here as published, and the finding is rejected with that reason.
 */
public final class Prefilter {
    private static final Pattern PARAMS = Pattern.compile(
            "(?i)(\\d+(?:\\.\\d+)?)\\s*(k|m|b|t|thousand|million|billion|trillion)\\b[\\s-]*(?:non-embedding\\s+)?(?:param(?:eter)?s?|model|LM|language model|transformer)");
    /** "from 125M to 1.3B parameters", "60-350M parameter models": the lower end of a stated range. */
    private static final Pattern RANGE = Pattern.compile(
            "(?i)(\\d+(?:\\.\\d+)?)\\s*(k|m|b|t|thousand|million|billion)?\\s*(?:to|-|–|and)\\s*(\\d+(?:\\.\\d+)?)\\s*(k|m|b|t|thousand|million|billion)\\b[\\s-]*(?:param(?:eter)?s?|model)");
    private static final Pattern BITS = Pattern.compile("(?i)\\b(\\d+(?:\\.\\d+)?)[\\s-]?bits?\\b|\\b(?:int|fp|nf|mxfp)(\\d{1,2})\\b|\\b(ternary|binary|binari[sz]ed|1\\.58)\\b");

    /** What the text states, and the verdict when it states both. */
    public record Verdict(Long params, Double bits, Long predictedBytes, boolean feasible, String reason) {
        public boolean rejected() { return !feasible; }
    }

    private final long limit;
    private final Map<String, Long> cache = new HashMap<>();

    /** @param artifactLimit the task's artifact limit in bytes (code included) */
    public Prefilter(long artifactLimit) { this.limit = artifactLimit; }

    public Verdict judge(String title, String summary) {
        String text = (title == null ? "" : title) + "\n" + (summary == null ? "" : summary);
        OptionalLong params = smallestParams(text);
        OptionalDouble bits = smallestBits(text);
        if (params.isEmpty() || bits.isEmpty())
            return new Verdict(params.isPresent() ? params.getAsLong() : null, bits.isPresent() ? bits.getAsDouble() : null, null, true,
                    "states " + (params.isEmpty() && bits.isEmpty() ? "no parameter count and no bit width" : params.isEmpty() ? "no parameter count" : "no bit width")
                            + ": left to the grader");
        long p = params.getAsLong();
        double b = bits.getAsDouble();
        long bytes = predict(p, b);
        boolean ok = bytes <= limit;
        String reason = String.format(Locale.ROOT, "%s parameters at %s bits: check constraints predicts %,d bytes bit-packed and compressed, %s the %,d-byte artifact limit%s",
                human(p), trim(b), bytes, ok ? "within" : "over", limit, ok ? "" : " (NOT FEASIBLE at the smallest size and width the text names)");
        return new Verdict(p, b, bytes, ok, reason);
    }

    static OptionalLong smallestParams(String text) {
        long best = Long.MAX_VALUE;
        Matcher m = PARAMS.matcher(text);
        while (m.find()) best = Math.min(best, count(m.group(1), m.group(2)));
        Matcher r = RANGE.matcher(text);
        while (r.find()) best = Math.min(best, count(r.group(1), r.group(2) != null ? r.group(2) : r.group(4)));
        return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
    }

    /** "2B tokens" never gets here; counts under 10,000 are layer sizes, not models. */
    private static long count(String number, String unit) {
        long mult = switch (unit.toLowerCase(Locale.ROOT)) {
            case "k", "thousand" -> 1_000L;
            case "m", "million" -> 1_000_000L;
            case "b", "billion" -> 1_000_000_000L;
            default -> 1_000_000_000_000L;
        };
        long n = Math.round(Double.parseDouble(number) * mult);
        return n >= 10_000 ? n : Long.MAX_VALUE;
    }

    static OptionalDouble smallestBits(String text) {
        Matcher m = BITS.matcher(text);
        double best = Double.MAX_VALUE;
        while (m.find()) {
            double b;
            if (m.group(1) != null) b = Double.parseDouble(m.group(1));
            else if (m.group(2) != null) b = Double.parseDouble(m.group(2));
            else b = m.group(3).toLowerCase(Locale.ROOT).startsWith("bin") ? 1 : 1.58;
            if (b >= 1 && b <= 16) best = Math.min(best, b); // "0-bit" or "32-bit float" baselines say nothing about the method
        }
        return best == Double.MAX_VALUE ? OptionalDouble.empty() : OptionalDouble.of(best);
    }

    private long predict(long params, double bits) {
        String key = params + ":" + bits;
        Long had = cache.get(key);
        if (had != null) return had;
        String storage = bits == 1 ? "1" : Math.abs(bits - 1.58) < 0.05 ? "1.58" : bits == 16 ? "16" : bits >= 8 ? "8" : String.valueOf(Math.max(2, (int) Math.ceil(bits)));
        Quantizer q = storage.equals("1") ? Quantizer.parse("binary-packed") : storage.equals("1.58") ? Quantizer.parse("ternary-packed") : Quantizer.parse("pct-clip");
        ExportSpec spec = new ExportSpec(java.util.List.of(TensorGroup.parse("model:" + params + ":" + storage)), 0, 16, q,
                ExportSpec.Layout.PACKED, ExportSpec.Shuffle.NONE, Compressor.parse("zstd-22"), 0, 512, WeightPrior.forExport(q, null).shape(), null);
        ArtifactEstimate est = new ArtifactEstimator().estimate(spec);
        cache.put(key, est.totalBytes());
        return est.totalBytes();
    }

    private static String human(long n) {
        if (n >= 1_000_000_000L) return trim(n / 1e9) + "B";
        if (n >= 1_000_000L) return trim(n / 1e6) + "M";
        return trim(n / 1e3) + "K";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }
}
