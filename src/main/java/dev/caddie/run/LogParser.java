package dev.caddie.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the train logs of Parameter Golf's records and of Tiny Golf.
 *
 * <p>Built from the format rules, not from known files: runtime metric lines are anchored at column 0
 * (after an optional epoch-timestamp prefix), embedded source code is skipped up to the separator that ends
 * it, a file may hold several appended runs, and the score is the lowest val_bpb among the final-metric
 * lines of the last run that has one, preferring the 8-decimal {@code _exact} twin of a line.
 */
public final class LogParser {
    private static final Pattern TIMESTAMP = Pattern.compile("^\\d{10}\\.\\d{3} ");
    private static final Pattern SEPARATOR = Pattern.compile("^={20,}\\s*$");
    private static final Pattern CODE_START = Pattern.compile("^(\"\"\"|'''|import \\w|from [\\w.]+ import |#!/|# -\\*-|# coding[:=])");
    private static final Pattern RUN_HEADER = Pattern.compile("^(Hyperparameters:\\s*$|--- Hyperparameters ---)");
    private static final Pattern RUNTIME_HINT = Pattern.compile(
            "^(Running (Python|PyTorch|Java)|step:\\d|\\d+/\\d+ (train_loss|val_loss)|(final_|quantized|legal_ttt)\\S* .*val_loss:|model_params:|world_size:)");
    static final Pattern FINAL = Pattern.compile(
            "^(?<name>final_[A-Za-z0-9_+\\-]+(?: sliding)?|legal_ttt(?:_exact)?|quantized(?:_[a-z_]+)?)\\b.*?\\bval_loss:\\s?(?<loss>-?[0-9][0-9.eE+\\-]*|nan|inf)\\b.*?\\bval_bpb:\\s?(?<bpb>-?[0-9][0-9.eE+\\-]*|nan|inf)");
    private static final Pattern TOTAL_SCHEMED = Pattern.compile("^Total submission size [^:]+: (\\d+) bytes");
    private static final Pattern TOTAL_RAW = Pattern.compile("^Total submission size: (\\d+) bytes");
    private static final Pattern BUDGET = Pattern.compile("^budget:(\\d+)/\\d+");
    private static final Pattern TOTAL_SUBMISSION = Pattern.compile("Total submission: (\\d+) bytes");
    private static final Pattern TOTAL_MB = Pattern.compile("= ([0-9.]+)/16\\.00MB (?:FITS|OVER)");
    private static final Pattern CODE_COMPRESSED = Pattern.compile("^Code size \\(compressed\\): (\\d+) bytes");
    private static final Pattern MODEL_COMPRESSED = Pattern.compile("^Serialized model [^:]+: (\\d+) bytes");
    private static final Pattern EVAL_TIME = Pattern.compile("\\beval_time:\\s?(\\d+)ms");
    private static final Pattern TOTAL_EVAL_TIME = Pattern.compile("^total_eval_time:\\s?([0-9.]+)s");
    private static final Pattern CODE_SIZE = Pattern.compile("^Code size: (\\d+) bytes");
    private static final Pattern CODE_IN_TOTALS = Pattern.compile("\\| Code: (\\d+) bytes");
    private static final Pattern CODE_IN_ARTIFACT = Pattern.compile("^artifact:.* code:(\\d+)");
    private static final Pattern MODEL_PARAMS = Pattern.compile("^(?:model_params:|(?:.*\\| )?params:)(\\d+)");
    private static final Pattern STOP = Pattern.compile("^stopping_early: wallclock_cap train_time:\\s?(\\d+)ms(?: step:\\s?(\\d+)/\\d+)?");
    private static final Pattern PEAK = Pattern.compile("^peak memory(?: allocated)?: (\\d+) MiB");
    private static final Pattern VAL_LINE = Pattern.compile(
            "^(?:step:(?<s1>\\d+)/\\d+|(?<s2>\\d+)/\\d+) val_loss:\\s?(?<loss>[0-9.]+|nan) val_bpb:\\s?(?<bpb>[0-9.]+|nan)");
    /** A training step line: S1-S9 of the format catalogue; the loss is read when the metric is a loss. */
    private static final Pattern STEP_LINE = Pattern.compile(
            "^(?:step:(?<s1>\\d+)/(?<t1>\\d+)(?: \\[[^\\]]*\\])?|(?<s2>\\d+)/(?<t2>\\d+)) (?<key>[a-z_]+):\\s?(?<loss>-?[0-9.]+|nan|NaN|inf|-?Infinity)");
    private static final Pattern TRAIN_TIME_MS = Pattern.compile("\\btrain_time:\\s?(\\d+)ms");
    private static final Pattern TRAIN_TIME_MIN = Pattern.compile("\\btrain_time:\\s?([0-9.]+)m\\b");

    /** Parses a log file; a missing or unreadable file is an IOException naming it. */
    /** The most of a log read: real train logs are under 10 MB; a larger file is read to this point. */
    static final int MAX_BYTES = 256 << 20;

    public LogSummary parse(Path file) throws IOException {
        return parse(file.toString(), text(file).split("\n", -1));
    }

    /**
     * A log file as text, as a user may hand it over: gzip-compressed, UTF-16 (PowerShell's `>`), or plain. A
     * binary file is refused by name rather than read as a log with no score in it.
     */
    public static String text(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a folder; give a train log file");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        byte[] b;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAX_BYTES);
        }
        return text(file.toString(), b);
    }

    /** Bytes of a log (a file, a git blob) as text; see {@link #text(Path)}. */
    public static String text(String file, byte[] b) {
        if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
                b = in.readNBytes(MAX_BYTES);
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": a gzip file that does not decompress (" + e.getMessage() + ")");
            }
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe) return new String(b, 2, b.length - 2, StandardCharsets.UTF_16LE);
        if (b.length >= 2 && (b[0] & 0xfe) == 0xfe && (b[1] & 0xff) == 0xff) return new String(b, 2, b.length - 2, StandardCharsets.UTF_16BE);
        int nul = 0, sample = Math.min(b.length, 1 << 16);
        for (int i = 0; i < sample; i++) if (b[i] == 0) nul++;
        if (nul > 0 && sample >= 2 && b[1] == 0 && nul > sample / 3) return new String(b, StandardCharsets.UTF_16LE); // UTF-16 without a BOM
        String t = new String(b, StandardCharsets.UTF_8);
        long bad = t.chars().limit(1 << 16).filter(c -> c == 0xFFFD || c == 0).count();
        if (bad > Math.max(8, Math.min(t.length(), 1 << 16) / 100))
            throw new IllegalArgumentException(file + ": not a text log (binary data); give the train log a run printed");
        return t;
    }

    public LogSummary parse(String name, String[] lines) {
        List<Run> runs = new ArrayList<>();
        Run current = new Run();
        boolean inCode = false;
        for (int i = 0; i < lines.length; i++) {
            String line = TIMESTAMP.matcher(stripCr(lines[i])).replaceFirst("");
            if (inCode) {
                if (SEPARATOR.matcher(line).matches() || RUNTIME_HINT.matcher(line).find()) inCode = false;
                else continue;
            }
            boolean codeStarts = CODE_START.matcher(line).find();
            if (codeStarts || RUN_HEADER.matcher(line).find()) {
                if (current.hasRuntime()) { runs.add(current); current = new Run(); }
                if (codeStarts) { inCode = true; continue; }
            }
            current.read(line, i + 1);
        }
        runs.add(current);
        List<Run> real = runs.stream().filter(Run::hasRuntime).toList();
        Run counted = null;
        for (Run r : real) if (!r.finals.isEmpty()) counted = r;
        if (counted == null) counted = real.isEmpty() ? current : real.get(real.size() - 1);
        return counted.summary(name, Math.max(real.size(), 0));
    }

    private static final java.util.regex.Pattern ANSI = java.util.regex.Pattern.compile("\u001b\\[[0-9;?]*[A-Za-z]");

    /** A line without its CR and without terminal colour codes (a log captured from a coloured console). */
    private static String stripCr(String s) {
        if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
        return s.indexOf('\u001b') >= 0 ? ANSI.matcher(s).replaceAll("") : s;
    }

    /** Lines of one run in the file. */
    private static final class Run {
        final Map<String, FinalMetric> finals = new LinkedHashMap<>();
        final List<FinalMetric> finalLines = new ArrayList<>();
        final List<LogSummary.TrainPoint> train = new ArrayList<>();
        final List<LogSummary.ValPoint> vals = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        Long schemedTotal, rawTotal, budgetTotal, legendreTotal, mbTotal, codeCompressed, codeRaw, codeTotals, codeArtifact, params, peak, modelBytes, evalMs, totalEvalMs;
        Integer stopStep; Long stopTime, lastTrainTime; Double lastTrainMinutes;
        boolean nan;
        int trainSteps; // step lines whose metric is not a loss (e.g. evolution-strategy fitness)

        boolean hasRuntime() { return !finals.isEmpty() || !train.isEmpty() || !vals.isEmpty() || stopTime != null; }

        void read(String line, int lineNo) {
            Matcher m;
            if ((m = TOTAL_MB.matcher(line)).find()) mbTotal = Math.round(Double.parseDouble(m.group(1)) * 1_000_000); // may be indented
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) return;
            if (!line.startsWith("final_eval_mode:") && (m = FINAL.matcher(line)).find()) {
                FinalMetric f = new FinalMetric(m.group("name"), num(m.group("bpb")), num(m.group("loss")), lineNo);
                finals.put(f.name(), f);
                finalLines.add(f);
                Matcher t = EVAL_TIME.matcher(line);
                if (t.find()) evalMs = (evalMs == null ? 0 : evalMs) + Long.parseLong(t.group(1));
                if (Double.isNaN(f.valBpb())) nan = true;
                return;
            }
            if ((m = VAL_LINE.matcher(line)).find()) {
                int step = Integer.parseInt(m.group("s1") != null ? m.group("s1") : m.group("s2"));
                vals.add(new LogSummary.ValPoint(step, num(m.group("bpb")), num(m.group("loss"))));
                trainTime(line);
                return;
            }
            if ((m = STEP_LINE.matcher(line)).find()) {
                boolean a = m.group("s1") != null;
                boolean isLoss = m.group("key").equals("loss") || m.group("key").equals("train_loss");
                double loss = isLoss ? num(m.group("loss")) : Double.NaN;
                if (!isLoss) { trainSteps++; trainTime(line); return; }
                if (!Double.isFinite(loss)) nan = true;
                train.add(new LogSummary.TrainPoint(Integer.parseInt(a ? m.group("s1") : m.group("s2")),
                        Integer.parseInt(a ? m.group("t1") : m.group("t2")), loss));
                trainTime(line);
                return;
            }
            if ((m = STOP.matcher(line)).find()) {
                stopTime = Long.parseLong(m.group(1));
                if (m.group(2) != null) stopStep = Integer.parseInt(m.group(2));
            } else if ((m = TOTAL_SCHEMED.matcher(line)).find()) schemedTotal = Long.parseLong(m.group(1));
            else if ((m = TOTAL_RAW.matcher(line)).find()) rawTotal = Long.parseLong(m.group(1));
            else if ((m = BUDGET.matcher(line)).find()) budgetTotal = Long.parseLong(m.group(1));
            else if ((m = CODE_COMPRESSED.matcher(line)).find()) codeCompressed = Long.parseLong(m.group(1));
            else if ((m = MODEL_COMPRESSED.matcher(line)).find()) modelBytes = Long.parseLong(m.group(1));
            else if ((m = TOTAL_EVAL_TIME.matcher(line)).find()) totalEvalMs = Math.round(Double.parseDouble(m.group(1)) * 1000);
            else if ((m = CODE_SIZE.matcher(line)).find()) codeRaw = Long.parseLong(m.group(1));
            else if ((m = PEAK.matcher(line)).find()) peak = Long.parseLong(m.group(1));
            else if (params == null && (m = MODEL_PARAMS.matcher(line)).find()) params = Long.parseLong(m.group(1));
            if ((m = CODE_IN_TOTALS.matcher(line)).find()) codeTotals = Long.parseLong(m.group(1));
            if ((m = CODE_IN_ARTIFACT.matcher(line)).find()) codeArtifact = Long.parseLong(m.group(1));
            if ((m = TOTAL_SUBMISSION.matcher(line)).find()) legendreTotal = Long.parseLong(m.group(1));
            if (line.startsWith("eval: ") && line.contains("(limited)")) warnings.add("partial validation: " + line.strip());
        }

        private void trainTime(String line) {
            Matcher m = TRAIN_TIME_MS.matcher(line);
            if (m.find()) lastTrainTime = Long.parseLong(m.group(1));
            else if ((m = TRAIN_TIME_MIN.matcher(line)).find()) lastTrainMinutes = Double.parseDouble(m.group(1));
        }

        LogSummary summary(String file, int runCount) {
            FinalMetric score = null;
            for (FinalMetric f : finalLines) {
                String exactTwin = exactName(f.name());
                if (!exactTwin.equals(f.name()) && finals.containsKey(exactTwin)) continue; // the 8-decimal twin speaks for it
                if (Double.isNaN(f.valBpb())) {
                    warnings.add(f.name() + " has val_bpb NaN: the model diverged, so the run has no score");
                    continue;
                }
                if (!(f.valBpb() > 0)) { // bits per byte cannot be negative: a broken evaluation, never a score
                    warnings.add(f.name() + " has val_bpb " + f.valBpb() + ", which no evaluation can give: not taken as a score");
                    continue;
                }
                if (score == null || f.valBpb() <= score.valBpb()) score = f;
            }
            Long artifact = first(schemedTotal, budgetTotal, legendreTotal, mbTotal, rawTotal);
            Long code = first(codeCompressed, codeRaw, codeTotals, codeArtifact);
            Long time = stopTime != null ? stopTime : lastTrainTime != null ? lastTrainTime
                    : lastTrainMinutes != null ? Math.round(lastTrainMinutes * 60_000) : null;
            LogSummary.ValPoint lastVal = vals.isEmpty() ? null : vals.get(vals.size() - 1);
            return new LogSummary(file, runCount, score, Map.copyOf(finals), artifact, code, params, stopStep, stopTime, time, peak,
                    lastVal == null ? null : lastVal.step(), lastVal == null ? null : lastVal.valBpb(), train.size() + trainSteps + vals.size(),
                    List.copyOf(train), List.copyOf(vals), nan, List.copyOf(warnings), modelBytes, totalEvalMs != null ? totalEvalMs : evalMs);
        }

        /** The name the 8-decimal twin of a display line has: X -> X_exact, "X sliding" -> "X_exact sliding". */
        private static String exactName(String name) {
            if (name.contains("_exact")) return name;
            int space = name.indexOf(' ');
            return space < 0 ? name + "_exact" : name.substring(0, space) + "_exact" + name.substring(space);
        }

        @SafeVarargs
        private static <T> T first(T... values) {
            for (T v : values) if (v != null) return v;
            return null;
        }

        private static double num(String s) {
            return switch (s.toLowerCase()) {
                case "nan" -> Double.NaN;
                case "inf", "infinity" -> Double.POSITIVE_INFINITY;
                case "-infinity" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s);
            };
        }
    }
}
