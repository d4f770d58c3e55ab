package dev.caddie.frontier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.rules.ArtifactAccount;
import dev.caddie.rules.LintFinding;
import dev.caddie.rules.ScriptCode;
import dev.caddie.rules.ScriptLint;
import dev.caddie.rules.SubmissionFile;
import dev.caddie.run.FinalMetric;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verdict on one submission from its own evidence, as a reviewer of the challenge would give it: is the
 * claimed score what its logs show, do its logs keep the 16 MB and 600 s limits, does its code break a scoring
 * rule, is it the baseline or an earlier submission again. Every reason names the file, line and numbers.
 *
 * <p>One verdict, the primary problem, in the order of {@link Verdict}; every other problem found is still listed.
 */
public final class Triage {
    /** The verdicts, most serious first: the first one with a reason is the submission's. */
    public enum Verdict {
        DUPLICATE("duplicate"), BASELINE_COPY("baseline-copy"), RULE_BREAKING("rule-breaking"), OVER_LIMIT("over-limit"),
        CLAIMS_UNBACKED("claims-unbacked"), VALID_RECORD("valid-record"), VALID_NONRECORD("valid-nonrecord");

        public final String code;

        Verdict(String code) { this.code = code; }
    }

    /** One problem found, with where it shows. */
    public record Reason(Verdict kind, String evidence) {}

    /**
     * @param loggedBpb      each log's score (its best final metric line), in log-name order
     * @param artifactBytes  each log's artifact total as the challenge counts it (the committed script's bytes)
     * @param notes          what was checked and found fine, or could not be checked, for the reader
     */
    public record Result(String where, Verdict verdict, List<Reason> reasons, Double claimedBpb, List<Double> loggedBpb, int seeds,
                         List<Long> artifactBytes, List<String> notes) {}

    public static final long ARTIFACT_LIMIT = ArtifactAccount.LIMIT;
    public static final long TRAIN_LIMIT_MS = 600_000;
    public static final int RECORD_SEEDS = 3;
    /** Training on the validation split, as submissions describe it ("val-only training", "trained on the validation shard"). */
    private static final Pattern VAL_TRAINING = Pattern.compile(
            "(?i)(?<![a-z])val(idation)?[-_ ]?only(?![a-z])|\\btrain(ed|ing|s)?\\s+(data\\s+)?(on|pointed\\s+at|points\\s+at)\\s+(the\\s+)?val(idation)?(\\s+(shard|split|set|data|tokens))?\\b");
    private static final Pattern TRAIN_TIME = Pattern.compile("train_time:\\s*\\d+\\s*ms");

    private Triage() {}

    /**
     * @param baseline the challenge's baseline script, for baseline-copy (null: not checked)
     * @param earlier  earlier submissions, for duplicates and copied logs (empty: not checked)
     * @param lint     whether to run `caddie lint` on the script (needs python3)
     */
    public static Result judge(SubmissionFolder s, ScriptCode baseline, List<SubmissionFolder> earlier, boolean lint) {
        return judge(s, baseline, earlier, lint ? ScriptLint::lint : null);
    }

    /** `caddie lint` as triage calls it; the frontier's triage keeps one answer per script, since forks share scripts. */
    public interface Linter {
        List<LintFinding> lint(ScriptCode script, ScriptCode baseline) throws IOException, InterruptedException;
    }

    /** @param lint how to lint the script, or null not to */
    public static Result judge(SubmissionFolder s, ScriptCode baseline, List<SubmissionFolder> earlier, Linter lint) {
        boolean record = s.track() == null || s.recordTrack(); // a folder whose path names no track is held to the record's rules
        List<Reason> reasons = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, byte[]> files = s.files();

        // --- what it claims
        SubmissionFile sub = null;
        Double claimed = null;
        String claimText = null;
        byte[] json = files.get("submission.json");
        if (json == null) reasons.add(new Reason(Verdict.CLAIMS_UNBACKED, "no submission.json: nothing states the claimed val_bpb"));
        else {
            try {
                JsonNode j = new ObjectMapper().readTree(json);
                if (j == null || !j.isObject()) throw new IOException("not a JSON object");
                sub = SubmissionFile.of(j);
                claimed = sub.valBpb();
                for (String k : List.of("val_bpb", "mean_val_bpb", "mean_bpb")) if (j.hasNonNull(k) && j.get(k).isNumber()) { claimText = j.get(k).asText(); break; }
                if (claimed == null)
                    reasons.add(new Reason(Verdict.CLAIMS_UNBACKED, "submission.json states no val_bpb" + (sub.valLoss() != null
                            ? String.format(Locale.ROOT, " (its val_loss %s is what it gives; a val_loss near 1.1 is a bpb figure in the wrong field)", sub.valLoss()) : "")));
            } catch (IOException e) {
                reasons.add(new Reason(Verdict.CLAIMS_UNBACKED, "submission.json is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")"));
            }
        }

        // --- what its logs show
        Map<String, LogSummary> logs = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        for (String name : s.logNames()) {
            try {
                String text = LogParser.text(name, files.get(name));
                LogSummary sum = new LogParser().parse(name, text.split("\n", -1));
                if (sum.finals().isEmpty() && sum.stepLines() == 0 && sum.trainCurve().isEmpty()) continue; // a .txt that is no train log
                logs.put(name, sum);
                texts.put(name, text);
            } catch (IllegalArgumentException e) {
                notes.add(e.getMessage());
            }
        }
        List<Double> logged = new ArrayList<>();
        for (LogSummary l : logs.values()) if (l.hasScore()) logged.add(l.score().valBpb());
        if (logs.isEmpty()) reasons.add(new Reason(Verdict.CLAIMS_UNBACKED, "no train logs in the submission: the claim cannot be checked"));

        // --- the script
        ScriptCode script = null;
        byte[] scriptBytes = files.get("train_gpt.py");
        if (scriptBytes != null) {
            try {
                script = ScriptCode.of(Path.of("train_gpt.py"), scriptBytes);
            } catch (IllegalArgumentException e) {
                notes.add(e.getMessage());
            }
        } else notes.add("no train_gpt.py in the folder: code checks skipped");

        earlierCopies(s, earlier, claimed, reasons);
        if (script != null && baseline != null) baselineCopy(script, baseline, logs, reasons);
        ruleBreaking(s, script, baseline, lint, texts, reasons, notes);
        List<Long> totals = limits(record, sub, script, logs, texts, reasons);
        if (claimed != null && !logs.isEmpty()) claims(record, claimed, claimText, logs, texts, reasons, notes);

        Verdict verdict = reasons.stream().map(Reason::kind).min(Enum::compareTo).orElse(record ? Verdict.VALID_RECORD : Verdict.VALID_NONRECORD);
        if (s.track() == null) notes.add("the folder's path names no track (records/track_10min_16mb or track_non_record_16mb): judged as a record");
        return new Result(s.where(), verdict, reasons, claimed, logged, logged.size(), totals, notes);
    }

    /** The verdict as one JSON object: the shape `caddie triage --json` prints and the frontier index keeps. */
    public static com.fasterxml.jackson.databind.node.ObjectNode json(Result r) {
        com.fasterxml.jackson.databind.node.ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("submission", r.where()).put("verdict", r.verdict().code);
        var reasons = o.putArray("reasons");
        r.reasons().forEach(x -> reasons.addObject().put("kind", x.kind().code).put("evidence", x.evidence()));
        if (r.claimedBpb() == null) o.putNull("claimed_val_bpb");
        else o.put("claimed_val_bpb", r.claimedBpb());
        var logged = o.putArray("logged_val_bpb");
        r.loggedBpb().forEach(logged::add);
        o.put("seeds", r.seeds());
        var bytes = o.putArray("artifact_bytes");
        r.artifactBytes().forEach(bytes::add);
        o.putNull("parent");
        var notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        return o;
    }

    /** The same files as an earlier submission: all of them (a duplicate), or its logs under other code (a copy). */
    private static void earlierCopies(SubmissionFolder s, List<SubmissionFolder> earlier, Double claimed, List<Reason> reasons) {
        Map<String, String> mine = hashes(s);
        String myScript = mine.get("train_gpt.py");
        for (SubmissionFolder e : earlier) {
            Map<String, String> theirs = hashes(e);
            List<String> sameLogs = new ArrayList<>();
            for (String log : s.logNames()) if (mine.get(log) != null && theirs.containsValue(mine.get(log))) sameLogs.add(log);
            boolean sameScript = myScript != null && myScript.equals(theirs.get("train_gpt.py"));
            if (sameScript && (!sameLogs.isEmpty() || s.logNames().isEmpty()))
                reasons.add(new Reason(Verdict.DUPLICATE, "train_gpt.py" + (sameLogs.isEmpty() ? "" : " and " + String.join(", ", sameLogs))
                        + " are byte-identical to " + e.where() + "'s: a re-submission of its files, with no new run"));
            else if (!sameLogs.isEmpty())
                reasons.add(new Reason(Verdict.BASELINE_COPY, String.join(", ", sameLogs) + " byte-identical to logs of " + e.where()
                        + (myScript == null ? "" : ", which ran other code than this train_gpt.py") + ": the logs are not this submission's runs"));
            else if (sameScript) {
                Double theirClaim = claimOf(e);
                if (claimed != null && theirClaim != null && Math.abs(claimed - theirClaim) > 1e-9)
                    reasons.add(new Reason(Verdict.BASELINE_COPY, String.format(Locale.ROOT,
                            "train_gpt.py is byte-identical to %s's (which claimed %s) while claiming %s", e.where(), theirClaim, claimed)));
            }
        }
    }

    /**
     * The baseline's code again (modulo comments and formatting) is a fake only with more: the baseline with other
     * environment settings is a legitimate entry, so a copy also needs logs the baseline cannot have printed.
     */
    private static void baselineCopy(ScriptCode script, ScriptCode baseline, Map<String, LogSummary> logs, List<Reason> reasons) {
        // One program whatever its layout, comments or docstrings: compared token by token, in this process.
        boolean same = java.util.Arrays.equals(script.code(), baseline.code())
                || ScriptFingerprint.tokens(script.code()).equals(ScriptFingerprint.tokens(baseline.code()));
        if (!same) return;
        String code = new String(script.code(), StandardCharsets.UTF_8);
        List<String> tells = new ArrayList<>();
        for (Map.Entry<String, LogSummary> l : logs.entrySet()) {
            Long logged = l.getValue().codeBytes();
            if (logged != null && logged != script.bytes().length && (script.decoded() == null || logged != script.decoded().length))
                tells.add(String.format(Locale.ROOT, "%s counted %,d code bytes, this script is %,d", l.getKey(), logged, script.bytes().length));
            for (FinalMetric f : l.getValue().finals().values()) {
                String stem = f.name().replaceAll("_exact$", "").replace(" sliding", "");
                if (!code.contains(stem)) tells.add(l.getKey() + " prints " + f.name() + ", which the baseline's code never prints");
            }
        }
        if (!tells.isEmpty())
            reasons.add(new Reason(Verdict.BASELINE_COPY, "train_gpt.py is the baseline's code (modulo comments and formatting), yet "
                    + String.join("; ", tells.subList(0, Math.min(3, tells.size())))));
    }

    private static void ruleBreaking(SubmissionFolder s, ScriptCode script, ScriptCode baseline, Linter lint, Map<String, String> logs,
                                     List<Reason> reasons, List<String> notes) {
        Map<String, String> described = new LinkedHashMap<>();
        for (String f : List.of("README.md", "submission.json")) if (s.files().containsKey(f)) described.put(f, new String(s.files().get(f), StandardCharsets.UTF_8));
        // A log's first lines carry the run's name and settings ("EXPERIMENT: ..._valonly").
        logs.forEach((name, text) -> described.put(name, String.join("\n", text.lines().limit(60).toList())));
        for (Map.Entry<String, String> d : described.entrySet()) {
            Matcher m = VAL_TRAINING.matcher(d.getValue());
            if (m.find()) {
                int line = lineAt(d.getValue(), m.start());
                reasons.add(new Reason(Verdict.RULE_BREAKING, d.getKey() + ":" + line + ": \"" + around(d.getValue(), m.start(), m.end())
                        + "\": trained on the validation split, whose tokens may not be trained on before they are scored"));
                break;
            }
        }
        if (script == null || lint == null) {
            if (script != null) notes.add("lint not run (--no-lint)");
            return;
        }
        try {
            for (LintFinding f : lint.lint(script, baseline))
                if (f.violation()) reasons.add(new Reason(Verdict.RULE_BREAKING, "train_gpt.py" + (script.wrapped() ? " (decoded)" : "") + ":" + f.line()
                        + ": " + f.rule() + ": " + f.message()));
        } catch (IOException | InterruptedException | RuntimeException e) {
            notes.add("lint could not read train_gpt.py: " + e.getMessage());
        }
    }

    /** The artifact and training-time limits by the submission's own logs; returns each log's artifact total. */
    private static List<Long> limits(boolean record, SubmissionFile sub, ScriptCode script, Map<String, LogSummary> logs,
                                     Map<String, String> texts, List<Reason> reasons) {
        List<Long> totals = new ArrayList<>();
        for (Map.Entry<String, LogSummary> e : logs.entrySet()) {
            LogSummary l = e.getValue();
            Long total = l.artifactBytes();
            // A wrapper's log counts the uncompressed code; the challenge counts the committed file.
            if (script != null && (l.modelBytes() != null || l.artifactBytes() != null)) {
                try {
                    total = ArtifactAccount.of(script, null, new ArtifactAccount.LoggedSizes(e.getKey(), l.codeBytes(), l.modelBytes(), l.artifactBytes()),
                            ARTIFACT_LIMIT).totalBytes();
                } catch (IllegalArgumentException unknown) {
                    // the log has no size line the accounting reads: its own total stands
                }
            }
            if (total != null) totals.add(total);
            if (total != null && total > ARTIFACT_LIMIT)
                reasons.add(new Reason(Verdict.OVER_LIMIT, String.format(Locale.ROOT, "%s: the artifact is %,d bytes, over the %,d limit", e.getKey(), total, ARTIFACT_LIMIT)));
            Long ms = l.stopTrainTimeMs() != null ? l.stopTrainTimeMs() : l.trainTimeMs();
            if (record && ms != null) {
                // The cap is checked between steps, so a run stops up to a step past it: that is the rule working, not broken.
                Integer steps = l.stopStep();
                long slack = Math.max(1_000, steps == null || steps == 0 ? 0 : 2 * ms / steps);
                if (ms > TRAIN_LIMIT_MS + slack) {
                    String text = texts.get(e.getKey());
                    int line = stopLine(text);
                    reasons.add(new Reason(Verdict.OVER_LIMIT, String.format(Locale.ROOT, "%s%s: training ran %,d ms, %.1f s past the 600 s cap of the record track",
                            e.getKey(), line > 0 ? ":" + line : "", ms, (ms - TRAIN_LIMIT_MS) / 1000.0)));
                }
            }
        }
        if (sub != null && sub.bytesTotal() != null && sub.bytesTotal() > ARTIFACT_LIMIT)
            reasons.add(new Reason(Verdict.OVER_LIMIT, String.format(Locale.ROOT, "submission.json: bytes_total %,d is over the %,d limit", sub.bytesTotal(), ARTIFACT_LIMIT)));
        return totals;
    }

    /** The claim must be a final metric line of a log, or the mean of the logs' scores; a record needs its seeds. */
    private static void claims(boolean record, double claimed, String claimText, Map<String, LogSummary> logs, Map<String, String> texts,
                               List<Reason> reasons, List<String> notes) {
        double tol = tolerance(claimText);
        List<Double> scores = new ArrayList<>();
        String found = null;
        Map<String, List<Double>> byName = new LinkedHashMap<>();
        for (Map.Entry<String, LogSummary> e : logs.entrySet()) {
            if (e.getValue().hasScore()) scores.add(e.getValue().score().valBpb());
            for (FinalMetric f : e.getValue().finals().values()) {
                byName.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f.valBpb());
                if (found == null && Math.abs(f.valBpb() - claimed) <= tol) found = e.getKey() + " (" + f.name() + " " + f.valBpb() + ")";
            }
        }
        // Evaluation lines of other names (sliding_window_eval_exact val_loss:... val_bpb:...) are final metrics too.
        for (Map.Entry<String, String> t : texts.entrySet()) {
            List<String> lines = t.getValue().lines().toList();
            for (int i = 0; i < lines.size() && found == null; i++) {
                Matcher m = EVAL_LINE.matcher(lines.get(i));
                if (!m.find()) continue;
                double v = Double.parseDouble(m.group(2));
                // names the score parser knows are in byName already; others join it, so their mean over seeds counts too
                if (!logs.get(t.getKey()).finals().containsKey(m.group(1))) byName.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(v);
                if (Math.abs(v - claimed) <= tol) found = t.getKey() + ":" + (i + 1) + " (" + m.group(1) + " " + v + ")";
            }
        }
        for (Map.Entry<String, List<Double>> n : byName.entrySet()) {
            if (found != null || n.getValue().size() < 2) continue;
            double mean = n.getValue().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            if (Math.abs(mean - claimed) <= tol)
                found = String.format(Locale.ROOT, "the mean of %d logs' %s (%.8f)", n.getValue().size(), n.getKey(), mean);
        }
        if (found == null) {
            String shows = scores.isEmpty() ? "no final metric line" : "scores " + scores.stream().map(d -> String.format(Locale.ROOT, "%.8f", d)).toList();
            String running = runningValue(texts, claimed, tol);
            reasons.add(new Reason(Verdict.CLAIMS_UNBACKED, String.format(Locale.ROOT, "the claimed val_bpb %s is neither a final metric line of the logs nor their mean: they show %s%s",
                    claimText != null ? claimText : Double.toString(claimed), shows, running == null ? "" : "; it appears only as " + running)));
        } else notes.add("the claim is " + found);
        if (record && scores.size() < RECORD_SEEDS)
            reasons.add(new Reason(Verdict.CLAIMS_UNBACKED, String.format(Locale.ROOT, "a record needs %d seed logs for its significance test; %d with a final score here",
                    RECORD_SEEDS, scores.size())));
    }

    /** A final evaluation line: a name that is not a training step, then val_loss and val_bpb. */
    private static final Pattern EVAL_LINE = Pattern.compile("^\\s*(?!step\\b)([A-Za-z][A-Za-z0-9_+\\-]*)\\b[^\\n]*?\\bval_loss:\\s?[0-9.]+[^\\n]*?\\bval_bpb:\\s?([0-9]+\\.[0-9]+)");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\d.])\\d+\\.\\d+");

    /** Where a claim that is no final metric does appear (a running TTT chunk, a periodic validation): the first such line, or null. */
    private static String runningValue(Map<String, String> texts, double claimed, double tol) {
        for (Map.Entry<String, String> t : texts.entrySet()) {
            List<String> lines = t.getValue().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = NUMBER.matcher(lines.get(i));
                while (m.find()) {
                    if (Math.abs(Double.parseDouble(m.group()) - claimed) <= tol)
                        return String.format(Locale.ROOT, "%s:%d \"%s\", not a final metric", t.getKey(), i + 1, clip(lines.get(i).strip()));
                }
            }
        }
        return null;
    }

    /** Half a unit in the last decimal the claim was written with: 1.1594 matches 1.15936..1.15944. */
    static double tolerance(String claimText) {
        if (claimText == null || !claimText.contains(".")) return 5e-5;
        String decimals = claimText.substring(claimText.indexOf('.') + 1).replaceAll("[eE].*", "");
        return 0.5 * Math.pow(10, -decimals.length()) + 1e-12;
    }

    private static Double claimOf(SubmissionFolder f) {
        byte[] json = f.files().get("submission.json");
        if (json == null) return null;
        try {
            JsonNode j = new ObjectMapper().readTree(json);
            return j != null && j.isObject() ? SubmissionFile.of(j).valBpb() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The script's and the logs' SHA-256, by file name. */
    private static Map<String, String> hashes(SubmissionFolder f) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(f.logNames());
        names.add("train_gpt.py");
        for (String n : names) if (f.files().containsKey(n)) out.put(n, ChallengeRepo.sha256(f.files().get(n)));
        return out;
    }


    private static int lineAt(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }

    /** The match with some of its line around it, for evidence a reader can find. */
    private static String around(String text, int start, int end) {
        int from = Math.max(text.lastIndexOf('\n', start) + 1, start - 50);
        int lineEnd = text.indexOf('\n', end);
        int to = Math.min(lineEnd < 0 ? text.length() : lineEnd, end + 50);
        return (from > text.lastIndexOf('\n', start) + 1 ? "..." : "") + text.substring(from, to).strip() + (to < (lineEnd < 0 ? text.length() : lineEnd) ? "..." : "");
    }

    /** The line that says where training stopped: the stopping_early line, else the last one with a train time. */
    private static int stopLine(String text) {
        if (text == null) return 0;
        List<String> lines = text.lines().toList();
        int last = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("stopping_early")) return i + 1;
            if (TRAIN_TIME.matcher(lines.get(i)).find()) last = i + 1;
        }
        return last;
    }

    private static String clip(String s) { return s.length() > 120 ? s.substring(0, 117) + "..." : s; }
}
