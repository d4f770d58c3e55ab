package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Ledger;
import dev.caddie.rules.ArtifactEstimate;
import dev.caddie.rules.ArtifactEstimator;
import dev.caddie.rules.CalibrationFile;
import dev.caddie.rules.Compressor;
import dev.caddie.rules.ExportSpec;
import dev.caddie.rules.Quantizer;
import dev.caddie.rules.TensorGroup;
import dev.caddie.rules.TrainingShape;
import dev.caddie.rules.WeightPrior;
import dev.caddie.rules.WeightShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

@Command(name = "constraints", sortOptions = false,
        description = {"Before any training: can this model fit in the artifact limit and train in the time limit?",
                "Sizes come from quantizing and really compressing a sample of synthetic weights; exit 1 when NOT FEASIBLE.",
                "With --calibration FILE: predict every export in a calibration table and report the errors against its logged sizes."})
final class CheckConstraintsCommand implements Callable<Integer> {
    @Option(names = "--params", paramLabel = "N", description = "quantized parameters (simple case, with --bits)")
    Long params;
    @Option(names = "--bits", paramLabel = "B", description = "bits per quantized parameter: 2..8, 16, fp8, 1.58 (ternary), 1 (binary)")
    String bits;
    @Option(names = "--group", paramLabel = "NAME:PARAMS:BITS", description = "a tensor group; repeat for mixed precision (e.g. mlp:15728640:5)")
    List<String> groups = new ArrayList<>();
    @Option(names = "--float-params", paramLabel = "N", defaultValue = "0", description = "small float tensors passed through (default: ${DEFAULT-VALUE})")
    long floatParams;
    @Option(names = "--float-bits", defaultValue = "16", description = "16 or 32 for the passthrough floats (default: ${DEFAULT-VALUE})")
    int floatBits;
    @Option(names = "--quantizer", defaultValue = "pct-clip", description = "pct-clip, amax, gptq-lite, gptq, gptq-sdclip, ternary-packed, binary-packed (default: ${DEFAULT-VALUE})")
    String quantizer;
    @Option(names = "--scheme", defaultValue = "int8", description = "int8 (one int8 container per value, fp16 row scales) or packed (default: ${DEFAULT-VALUE})")
    String scheme;
    @Option(names = "--shuffle", defaultValue = "none", description = "none or byte2 (default: ${DEFAULT-VALUE})")
    String shuffle;
    @Option(names = "--compressor", defaultValue = "zstd-22", description = "zlib-9, zstd-22, xz-9, brotli-11, best-of:A,B (default: ${DEFAULT-VALUE})")
    String compressor;
    @Option(names = "--code-bytes", paramLabel = "C", defaultValue = "0", description = "bytes of the training script as counted (default: ${DEFAULT-VALUE})")
    long codeBytes;
    @Option(names = "--limit", defaultValue = "16000000", description = "artifact limit in bytes (default: ${DEFAULT-VALUE})")
    long limit;
    @Option(names = "--weight-tail", paramLabel = "NU", description = "weight distribution: gaussian or Student-t degrees of freedom (default: the prior for the quantizer)")
    String weightTail;
    @Option(names = "--clip-sigmas", paramLabel = "K[,K8] | NAME=K,...", split = ",",
            description = "SDClip's k: for sub-8-bit and 8-bit groups (default: 12.85,20), or per group by name (e.g. mlp=11.5,attn=13,tok_emb=14)")
    List<String> clipSigmas;
    @Option(names = "--row-length", defaultValue = "512", description = "values per quantization row (default: ${DEFAULT-VALUE})")
    int rowLength;

    @Option(names = "--layers", defaultValue = "9", description = "training shape: blocks (default: ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--dim", defaultValue = "512", description = "model width (default: ${DEFAULT-VALUE})")
    int dim;
    @Option(names = "--vocab", defaultValue = "1024", description = "vocabulary size (default: ${DEFAULT-VALUE})")
    int vocab;
    @Option(names = "--seq-len", defaultValue = "1024", description = "tokens per sequence (default: ${DEFAULT-VALUE})")
    int seqLen;
    @Option(names = "--batch-tokens", defaultValue = "524288", description = "tokens per step over all GPUs (default: ${DEFAULT-VALUE})")
    long batchTokens;
    @Option(names = "--grad-accum", defaultValue = "1", description = "micro-batches per step per GPU (default: ${DEFAULT-VALUE})")
    int gradAccum;
    @Option(names = "--gpus", defaultValue = "8", description = "GPUs (default: ${DEFAULT-VALUE})")
    int gpus;
    @Option(names = "--gpu", defaultValue = "h100", description = "h100, h200 or a100 (default: ${DEFAULT-VALUE})")
    String gpu;
    @Option(names = "--time-limit", defaultValue = "600", description = "training seconds (default: ${DEFAULT-VALUE})")
    double timeLimit;
    @Option(names = "--step-ms", description = "a measured step time in ms (default: the workspace ledger's newest on --tier, else the roofline)")
    Double stepMs;
    @Option(names = "--tier", defaultValue = "official", description = "tier whose measured step time to use (default: ${DEFAULT-VALUE})")
    String tier;
    @Option(names = {"-C", "--workspace"}, description = "workspace whose ledger holds measured step times (default: current directory, if it is one)")
    Path workspace;

    @Option(names = "--calibration", paramLabel = "FILE", description = "predict every row of a calibration table and report errors")
    Path calibration;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (calibration != null) return calibrate();
        checkRanges();
        ExportSpec spec = spec();
        ArtifactEstimate est = new ArtifactEstimator().estimate(spec);
        TrainingShape shape = trainingShape(est.params());
        boolean sizeOk = est.totalBytes() <= limit;
        TrainingShape.Memory mem = shape.memory();
        boolean feasible = sizeOk && mem.fits() && shape.steps() >= 1;
        if (json) System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(constraintsJson(est, shape, feasible)));
        else printConstraints(est, shape, feasible);
        return feasible ? 0 : 1;
    }

    /** Numbers that make no sense are refused by name: a negative time limit once printed "-88 steps", zero GPUs "/ by zero". */
    private void checkRanges() {
        atLeast("--limit", limit, 1);
        atLeast("--layers", layers, 1);
        atLeast("--dim", dim, 1);
        atLeast("--vocab", vocab, 2);
        atLeast("--seq-len", seqLen, 1);
        atLeast("--batch-tokens", batchTokens, 1);
        atLeast("--grad-accum", gradAccum, 1);
        if (gpus < 1 || gpus > 4096) throw new IllegalArgumentException("--gpus must be a whole number from 1 to 4096, got " + gpus);
        if (!(timeLimit > 0 && timeLimit <= 30 * 24 * 3600.0))
            throw new IllegalArgumentException("--time-limit must be a positive number of training seconds (the challenge's is 600), got " + timeLimit);
        if (stepMs != null && !(stepMs > 0 && stepMs < 1e9)) throw new IllegalArgumentException("--step-ms must be a positive number of milliseconds, got " + stepMs);
    }

    private static void atLeast(String option, long value, long min) {
        if (value < min) throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
    }

    private ExportSpec spec() {
        List<TensorGroup> gs = new ArrayList<>();
        if (params != null || bits != null) {
            if (params == null || bits == null) throw new IllegalArgumentException("--params and --bits go together (or use --group NAME:PARAMS:BITS)");
            gs.add(TensorGroup.parse("model:" + params + ":" + bits));
        }
        for (String g : groups) gs.add(TensorGroup.parse(g));
        if (gs.isEmpty()) throw new IllegalArgumentException("nothing to size: give --params N --bits B, or --group NAME:PARAMS:BITS (repeatable)");
        List<Double> plain = new ArrayList<>();
        for (String c : clipSigmas == null ? List.<String>of() : clipSigmas) {
            int eq = c.indexOf('=');
            double k = positive(eq < 0 ? c : c.substring(eq + 1), c);
            if (eq < 0) {
                plain.add(k);
                continue;
            }
            String name = c.substring(0, eq).trim();
            int i = indexOf(gs, name);
            if (i < 0) throw new IllegalArgumentException("--clip-sigmas " + c + ": no group named '" + name + "'; groups: "
                    + gs.stream().map(TensorGroup::name).collect(java.util.stream.Collectors.joining(", ")));
            gs.set(i, gs.get(i).withClipSigmas(k));
        }
        Quantizer q = Quantizer.parse(quantizer);
        WeightShape tail = weightTail == null ? WeightPrior.forExport(q, null).shape() : WeightShape.parse(weightTail);
        return new ExportSpec(gs, floatParams, floatBits, q, ExportSpec.Layout.parse(scheme), ExportSpec.Shuffle.parse(shuffle),
                Compressor.parse(compressor), codeBytes, rowLength, tail, plain.isEmpty() ? null : plain.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static int indexOf(List<TensorGroup> gs, String name) {
        for (int i = 0; i < gs.size(); i++) if (gs.get(i).name().equals(name)) return i;
        return -1;
    }

    private static double positive(String v, String whole) {
        try {
            double d = Double.parseDouble(v.trim());
            if (d > 0) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--clip-sigmas " + whole + ": '" + v + "' is not a positive number");
    }

    private TrainingShape trainingShape(long totalParams) throws Exception {
        Double measured = stepMs;
        String source = stepMs == null ? null : "--step-ms";
        if (measured == null) {
            Path ws = workspace != null ? workspace : Path.of(".");
            var db = dev.caddie.task.TaskSpecReader.ledgerOf(ws.toAbsolutePath());
            if (db.file() == null || Files.isRegularFile(db.file())) {
                try (Ledger l = Ledger.open(db)) {
                    var ms = l.lastStepMs(tier);
                    if (ms.isPresent()) {
                        measured = ms.getAsDouble();
                        source = "measured: newest ok run on tier " + tier + " in " + db;
                    }
                }
            }
        }
        return new TrainingShape(totalParams, layers, dim, vocab, seqLen, batchTokens, gradAccum, gpus, TrainingShape.Gpu.parse(gpu), timeLimit, measured, source);
    }

    private void printConstraints(ArtifactEstimate est, TrainingShape shape, boolean feasible) {
        ExportSpec s = est.spec();
        System.out.printf(Locale.ROOT, "export: %s quantizer, %s layout, shuffle %s, %s%s; weights %s (%s)%n", s.quantizer().code,
                s.layout().name().toLowerCase(Locale.ROOT), s.shuffle().name().toLowerCase(Locale.ROOT), s.compressor().name(),
                s.compressor().estimated() ? " (estimated: no JVM implementation)" : "", s.shape(),
                weightTail == null ? WeightPrior.forExport(s.quantizer(), null).reason() : "--weight-tail");
        System.out.printf(Locale.ROOT, "%-24s %14s %-9s %14s %10s %12s %s%n", "group", "params", "storage", "bytes", "bits/param", "rel. MSE", "");
        for (ArtifactEstimate.Group g : est.allGroups())
            System.out.printf(Locale.ROOT, "%-24s %,14d %-9s %,14d %10.3f %12.2e %s%n", g.name(), g.params(), g.storage(), g.bytes(), g.bitsPerParam(), g.relMse(), g.detail());
        long total = est.totalBytes();
        System.out.printf(Locale.ROOT, "model %,d bytes (entropy floor %,d) + code %,d = %,d bytes; limit %,d, %s %,d%n", est.modelBytes(), est.entropyModelBytes(),
                s.codeBytes(), total, limit, total <= limit ? "headroom" : "OVER by", Math.abs(limit - total));
        System.out.printf(Locale.ROOT, "quantization error: %.3e of the weight energy (SQNR %.1f dB)%n", est.relMse(), -10 * Math.log10(Math.max(1e-30, est.relMse())));
        System.out.printf(Locale.ROOT, "the fixed-ratio formula (params x bits / 8 x 0.90 + code) would say %,d bytes%n", s.naiveTotalBytes());
        System.out.printf(Locale.ROOT, "training: %,d steps of %,d tokens in %.0f s (%.1f ms/step, %s); %.2fB tokens%n", shape.steps(), shape.batchTokens(),
                shape.timeLimitS(), shape.stepMs(), shape.measuredStepMs() != null ? shape.measuredSource()
                        : String.format(Locale.ROOT, "roofline: %.3g FLOP/step on %d x %s at %.0f%% MFU", shape.flopsPerStep(), shape.gpus(), shape.gpu(), 100 * TrainingShape.ROOFLINE_MFU),
                shape.tokensSeen() / 1e9);
        TrainingShape.Memory m = shape.memory();
        System.out.printf(Locale.ROOT, "memory per GPU: weights %.2f + grads %.2f + optimizer %.2f + activations %.2f = %.2f GiB of %.0f GiB%s%n",
                gib(m.weights()), gib(m.gradients()), gib(m.optimizer()), gib(m.activations()), gib(m.total()), gib(m.available()), m.fits() ? "" : " (DOES NOT FIT)");
        System.out.println(feasible ? "FEASIBLE" : "NOT FEASIBLE: " + reasons(est, shape));
    }

    private String reasons(ArtifactEstimate est, TrainingShape shape) {
        List<String> r = new ArrayList<>();
        if (est.totalBytes() > limit) r.add(String.format(Locale.ROOT, "artifact %,d bytes over the %,d limit", est.totalBytes(), limit));
        if (!shape.memory().fits()) r.add("a step does not fit in GPU memory");
        if (shape.steps() < 1) r.add("not one step fits in the time limit");
        return String.join("; ", r);
    }

    private ObjectNode constraintsJson(ArtifactEstimate est, TrainingShape shape, boolean feasible) {
        ObjectNode o = mapper.createObjectNode();
        o.put("verdict", feasible ? "FEASIBLE" : "NOT FEASIBLE");
        o.put("predicted_model_bytes", est.modelBytes());
        o.put("predicted_total_bytes", est.totalBytes());
        o.put("code_bytes", est.spec().codeBytes());
        o.put("limit", limit);
        o.put("headroom_bytes", limit - est.totalBytes());
        o.put("entropy_model_bytes", est.entropyModelBytes());
        o.put("naive_total_bytes", est.spec().naiveTotalBytes());
        o.put("quantization_rel_mse", est.relMse());
        o.put("weight_shape", est.spec().shape().toString());
        o.put("compressor", est.spec().compressor().name());
        ArrayNode gs = o.putArray("groups");
        for (ArtifactEstimate.Group g : est.allGroups())
            gs.addObject().put("name", g.name()).put("params", g.params()).put("storage", g.storage()).put("bytes", g.bytes())
                    .put("bits_per_param", g.bitsPerParam()).put("rel_mse", g.relMse()).put("entropy_bytes", g.entropyBytes());
        ObjectNode t = o.putObject("training");
        t.put("steps", shape.steps()).put("step_ms", shape.stepMs()).put("step_source", shape.measuredStepMs() != null ? shape.measuredSource() : "roofline")
                .put("tokens", shape.tokensSeen()).put("flops_per_step", shape.flopsPerStep());
        TrainingShape.Memory m = shape.memory();
        t.putObject("memory_bytes").put("weights", m.weights()).put("gradients", m.gradients()).put("optimizer", m.optimizer())
                .put("activations", m.activations()).put("total", m.total()).put("available", m.available()).put("fits", m.fits());
        return o;
    }

    private int calibrate() throws Exception {
        if (!Files.isRegularFile(calibration)) throw new IllegalArgumentException(calibration + ": no such file");
        List<CalibrationFile.Row> rows = CalibrationFile.read(calibration, rowLength);
        ArtifactEstimate[] est = new ArtifactEstimate[rows.size()];
        IntStream.range(0, rows.size()).parallel().forEach(i -> est[i] = new ArtifactEstimator().estimate(rows.get(i).spec()));
        List<Double> errors = new ArrayList<>(), naiveErrors = new ArrayList<>();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode arr = out.putArray("rows");
        if (!json) System.out.printf(Locale.ROOT, "%-5s %-64s %13s %13s %13s %8s %8s%n", "line", "export", "pred. model", "pred. total", "logged total", "error", "naive");
        for (int i = 0; i < rows.size(); i++) {
            CalibrationFile.Row r = rows.get(i);
            ArtifactEstimate e = est[i];
            ObjectNode o = arr.addObject();
            o.put("line", r.line()).put("label", r.label()).put("predicted_model_bytes", e.modelBytes()).put("predicted_total_bytes", e.totalBytes())
                    .put("entropy_model_bytes", e.entropyModelBytes()).put("weight_shape", r.spec().shape().toString()).put("weight_shape_source", r.tailSource());
            Double err = null, naive = null;
            if (r.totalBytesLogged() != null) {
                err = (e.totalBytes() - r.totalBytesLogged()) / (double) r.totalBytesLogged();
                naive = (r.spec().naiveTotalBytes() - r.totalBytesLogged()) / (double) r.totalBytesLogged();
                errors.add(Math.abs(err));
                naiveErrors.add(Math.abs(naive));
                o.put("total_bytes_logged", r.totalBytesLogged()).put("rel_error", err).put("naive_rel_error", naive);
            }
            if (!json) System.out.printf(Locale.ROOT, "%-5d %-64.64s %,13d %,13d %13s %8s %8s%n", r.line(), r.label(), e.modelBytes(), e.totalBytes(),
                    r.totalBytesLogged() == null ? "-" : String.format(Locale.ROOT, "%,d", r.totalBytesLogged()), pct(err), pct(naive));
        }
        if (!errors.isEmpty()) {
            out.put("median_abs_error", median(errors)).put("worst_abs_error", max(errors))
                    .put("naive_median_abs_error", median(naiveErrors)).put("naive_worst_abs_error", max(naiveErrors)).put("rows_with_logged_total", errors.size());
        }
        if (json) System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        else if (errors.isEmpty()) System.out.println("no row has total_bytes_logged: predictions only");
        else System.out.printf(Locale.ROOT, "%d rows with a logged total: median |error| %.2f%%, worst %.2f%% (fixed-ratio formula: median %.2f%%, worst %.2f%%)%n",
                    errors.size(), 100 * median(errors), 100 * max(errors), 100 * median(naiveErrors), 100 * max(naiveErrors));
        return 0;
    }

    private static String pct(Double d) { return d == null ? "-" : String.format(Locale.ROOT, "%+.2f%%", 100 * d); }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double max(List<Double> xs) { return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0); }

    private static double gib(long b) { return b / (double) (1L << 30); }
}
