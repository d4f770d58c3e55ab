package dev.caddie.frontier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Submission;
import dev.caddie.ledger.Verdict;
import dev.caddie.rules.Significance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The battle plan: what each accepted submission added to the one it was built from, and what that was worth.
 * A submission's parent is the earlier accepted submission of its track whose script it most resembles; what it
 * adds is read from its name (the techniques its author names) and from the code (functions, classes and
 * hyperparameters its script has that the parent's has not); its delta is its val_bpb against the parent's,
 * confirmed when its seeds differ from the parent's at p &lt; 0.01. Per technique, its deltas decide a status:
 * proven (a confirmed gain), dead-end (never a gain, one of them confirmed or twice seen), exploring (the rest);
 * a watched topic that research findings name and no submission does is untried.
 */
public final class TechniqueMap {
    /** One accepted submission and what it adds over its parent. */
    public record Step(Submission submission, Integer pr, Submission parent, Integer parentPr, double similarity, List<String> techniques,
                       List<String> code, Double delta, int seeds, int parentSeeds, Double p, boolean confirmed) {}

    /** One technique and the evidence for it: public submissions, and this workspace's own candidates that tried it. */
    public record Technique(String key, String name, String status, List<Step> evidence, Double meanDelta, int confirmed, List<Own> own,
                            List<Long> findings) {
        Technique withOwn(List<Own> more) {
            List<Own> all = new ArrayList<>(own);
            all.addAll(more);
            return new Technique(key, name, TechniqueMap.status(evidence, all), evidence, meanDelta, confirmed, all, findings);
        }
    }

    /** A candidate of this workspace whose description names the technique, with its verdict and its delta against the best before it. */
    public record Own(long candidateId, String tag, String description, String verdict, double delta) {
        boolean kept() { return Verdict.KEEP.equals(verdict); }
    }

    /** The battle plan's file in a workspace, read into the agents' decision state. */
    public static final String FILE = "technique_map.json";
    /** Verdicts that disqualify a submission as evidence, whatever its merge status. */
    private static final Set<String> DISQUALIFIED = Set.of("rule-breaking", "over-limit", "duplicate", "baseline-copy");
    private static final Pattern DEF = Pattern.compile("(?m)^\\s*(def|class)\\s+([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern ENV = Pattern.compile("os\\.environ\\.get\\(\\s*['\"]([A-Z][A-Z0-9_]*)['\"]\\s*,\\s*['\"]?([^'\")]{1,40})['\"]?\\s*\\)");
    private static final Pattern NOISE = Pattern.compile("(?i)^(\\d+(\\.\\d+)?|\\d+seeds?|seed\\d*|\\d*x?h100s?|v\\d+|record|submission|final|new|the|and|with|\\d{4}-\\d{2}-\\d{2}|[0-9.]+bpb)$");

    private final List<Step> steps;
    private final List<Technique> techniques;

    private TechniqueMap(List<Step> steps, List<Technique> techniques) {
        this.steps = steps;
        this.techniques = techniques;
    }

    public List<Step> steps() { return steps; }

    public List<Technique> techniques() { return techniques; }

    /**
     * Builds the map over the index. Accepted: triaged valid, or merged into main with no verdict that disqualifies
     * it (merged records often fail only the seed count their own era did not ask for). Submissions not triaged yet
     * are judged first.
     */
    public static TechniqueMap build(FrontierTriage t) throws IOException {
        List<Submission> accepted = new ArrayList<>();
        Map<Long, String> verdicts = new LinkedHashMap<>(); // the verdict JSON by submission, also of those judged just now
        for (Submission s : t.distinct()) {
            String verdict = s.verdict();
            verdicts.put(s.id(), s.verdictJson());
            if (verdict == null) {
                FrontierTriage.Judged j = t.judge(s);
                verdicts.put(s.id(), j.json().toString());
                verdict = j.result().verdict().code;
            }
            boolean valid = verdict.startsWith("valid-");
            if (valid || s.onMain() && !DISQUALIFIED.contains(verdict)) accepted.add(s);
        }
        accepted.sort(t.order());
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < accepted.size(); i++) {
            Submission s = accepted.get(i);
            List<Submission> before = new ArrayList<>();
            for (Submission e : accepted.subList(0, i)) if (java.util.Objects.equals(e.track(), s.track())) before.add(e);
            Submission parent = t.similarity().closest(s, before);
            steps.add(step(t, s, parent, verdicts));
        }
        return new TechniqueMap(steps, techniques(steps));
    }

    private static Step step(FrontierTriage t, Submission s, Submission parent, Map<Long, String> verdicts) throws IOException {
        List<String> named = nameTechniques(s);
        List<String> code = List.of();
        Double delta = null, p = null;
        boolean confirmed = false;
        double[] mine = logged(verdicts.get(s.id()));
        double[] theirs = parent == null ? new double[0] : logged(verdicts.get(parent.id()));
        double sim = 0;
        if (parent != null) {
            Set<String> had = new LinkedHashSet<>();
            for (String n : nameTechniques(parent)) had.add(key(n));
            named = named.stream().filter(n -> !had.contains(key(n))).toList();
            code = codeChanges(t, s, parent);
            sim = t.similarity().of(s, parent);
            Double a = value(s, mine), b = value(parent, theirs);
            if (a != null && b != null) delta = a - b;
            if (mine.length >= 2 && theirs.length >= 2) {
                try {
                    Significance.Result r = Significance.test("val_bpb", mine, theirs, 0, 0, Significance.ALPHA, Significance.Variant.AS_QUOTED);
                    p = r.p();
                    confirmed = r.significant();
                } catch (IllegalArgumentException e) {
                    // copies of one run (no spread): not evidence either way
                }
            }
        }
        return new Step(s, t.prOf(s), parent, parent == null ? null : t.prOf(parent), sim, named, code, delta, mine.length, theirs.length, p, confirmed);
    }

    /** The mean of the seeds' logged scores, else the claim. */
    private static Double value(Submission s, double[] logged) {
        if (logged.length > 0) return java.util.Arrays.stream(logged).average().orElseThrow();
        return s.claimedBpb();
    }

    /** Each seed log's score, as triage read them. */
    private static double[] logged(String json) throws IOException {
        if (json == null) return new double[0];
        JsonNode j = new ObjectMapper().readTree(json);
        List<Double> out = new ArrayList<>();
        for (JsonNode v : j.path("logged_val_bpb")) out.add(v.asDouble());
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The techniques a submission names: its folder's words after the date (LeakyReLU_LegalTTT_ParallelMuon), else
     * the parts of its submission.json name ("LeakyReLU² + Legal TTT + Parallel Muon"); scores, seed counts and
     * hardware are not techniques.
     */
    static List<String> nameTechniques(Submission s) {
        String folder = s.folder().substring(s.folder().lastIndexOf('/') + 1).replaceFirst("^\\d{4}-\\d{2}-\\d{2}[_-]?", "");
        List<String> parts = new ArrayList<>(List.of(folder.split("[_]+")));
        if (parts.size() <= 1 && s.name() != null) parts = new ArrayList<>(List.of(s.name().split("\\s*(\\+|,|/|&|\\band\\b|\\bwith\\b)\\s*")));
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : parts) {
            String name = p.strip();
            if (name.isEmpty() || NOISE.matcher(name).matches() || key(name).length() < 2) continue;
            out.putIfAbsent(key(name), name);
        }
        return new ArrayList<>(out.values());
    }

    /** A technique's identity: its name without case, punctuation or spaces (LegalTTT = "Legal TTT" = legal_ttt). */
    static String key(String name) { return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""); }

    /** Functions and classes the script defines that the parent's does not, and hyperparameter defaults it changed. */
    private static List<String> codeChanges(FrontierTriage t, Submission s, Submission parent) throws IOException {
        String mine = t.code(s), theirs = t.code(parent);
        if (mine == null || theirs == null) return List.of();
        List<String> out = new ArrayList<>();
        Set<String> had = new LinkedHashSet<>();
        Matcher m = DEF.matcher(theirs);
        while (m.find()) had.add(m.group(1) + " " + m.group(2));
        m = DEF.matcher(mine);
        Set<String> seen = new LinkedHashSet<>();
        while (m.find()) if (!had.contains(m.group(1) + " " + m.group(2)) && seen.add(m.group(1) + " " + m.group(2))) out.add(m.group(1) + " " + m.group(2));
        Map<String, String> before = envDefaults(theirs), after = envDefaults(mine);
        after.forEach((k, v) -> {
            if (!before.containsKey(k)) out.add("new setting " + k + "=" + v);
            else if (!before.get(k).equals(v)) out.add(k + ": " + before.get(k) + " -> " + v);
        });
        return out;
    }

    private static Map<String, String> envDefaults(String code) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = ENV.matcher(code);
        while (m.find()) out.putIfAbsent(m.group(1), m.group(2).strip());
        return out;
    }

    static List<Technique> techniques(List<Step> steps) {
        Map<String, List<Step>> by = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (Step s : steps) {
            if (s.parent() == null) continue; // the first of a track adds nothing measurable
            for (String n : s.techniques()) {
                by.computeIfAbsent(key(n), k -> new ArrayList<>()).add(s);
                names.putIfAbsent(key(n), n);
            }
        }
        List<Technique> out = new ArrayList<>();
        for (Map.Entry<String, List<Step>> e : by.entrySet()) {
            List<Step> ev = e.getValue();
            List<Double> deltas = ev.stream().map(Step::delta).filter(java.util.Objects::nonNull).toList();
            Double mean = deltas.isEmpty() ? null : deltas.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            int confirmed = (int) ev.stream().filter(Step::confirmed).count();
            out.add(new Technique(e.getKey(), names.get(e.getKey()), status(ev, List.of()), ev, mean, confirmed, List.of(), List.of()));
        }
        out.sort(RANK);
        return out;
    }

    private static final Comparator<Technique> RANK = Comparator.comparingInt((Technique x) -> List.of("proven", "exploring", "untried", "dead-end").indexOf(x.status()))
            .thenComparing(x -> x.meanDelta() == null ? Double.MAX_VALUE : x.meanDelta());

    /**
     * Proven: a gain confirmed over seeds, or kept here by the noise-aware keep rule. Dead-end: never a gain, with
     * a confirmed loss or seen twice (public or here). Exploring: the rest.
     */
    static String status(List<Step> ev, List<Own> own) {
        List<Double> deltas = new ArrayList<>(ev.stream().map(Step::delta).filter(java.util.Objects::nonNull).toList());
        own.forEach(o -> deltas.add(o.delta()));
        boolean gain = ev.stream().anyMatch(s -> s.confirmed() && s.delta() != null && s.delta() < 0) || own.stream().anyMatch(Own::kept);
        boolean neverGain = !deltas.isEmpty() && deltas.stream().allMatch(d -> d >= 0) && own.stream().noneMatch(Own::kept);
        return gain ? "proven" : neverGain && (ev.stream().anyMatch(Step::confirmed) || deltas.size() >= 2) ? "dead-end" : "exploring";
    }

    /**
     * Adds this workspace's own history: each kept or discarded candidate whose description names a technique of
     * the map (as a word, or two or three words run together: "legal TTT" is LegalTTT) is evidence for it, with
     * its score against the best before it. Candidates that name none are left out: a map of one-off descriptions
     * would bury the techniques.
     */
    public TechniqueMap withOwn(Ledger ledger) {
        Map<String, List<Own>> byKey = new LinkedHashMap<>();
        for (String tag : ledger.tags())
            for (Experiment e : ledger.experiments(tag)) {
                Verdict v = e.verdict();
                if (v == null || v.bestBefore() == null || e.run() == null || e.run().valBpb() == null
                        || !(Verdict.KEEP.equals(v.verdict()) || Verdict.DISCARD.equals(v.verdict()))) continue;
                double score = ledger.meanScore(e.candidate().id(), e.run().tier()).orElse(e.run().valBpb());
                Set<String> words = wordKeys(e.candidate().description());
                for (Technique t : techniques)
                    if (t.key().length() >= 3 && words.contains(t.key()))
                        byKey.computeIfAbsent(t.key(), k -> new ArrayList<>())
                                .add(new Own(e.candidate().id(), tag, e.candidate().description(), v.verdict(), score - v.bestBefore()));
            }
        List<Technique> out = new ArrayList<>();
        for (Technique t : techniques) out.add(byKey.containsKey(t.key()) ? t.withOwn(byKey.get(t.key())) : t);
        out.sort(RANK);
        return new TechniqueMap(steps, out);
    }

    /**
     * Adds what the research found and nobody has submitted: each watched topic ([research] keywords) that some
     * finding's title or summary names, and that no technique of the map is, becomes an "untried" technique with
     * those findings as its evidence.
     */
    public TechniqueMap withFindings(List<Finding> findings, List<String> topics) {
        List<Technique> out = new ArrayList<>(techniques);
        for (String topic : topics) {
            String k = key(topic);
            if (k.length() < 3 || techniques.stream().anyMatch(t -> t.key().equals(k) || t.key().contains(k) || k.contains(t.key()) && t.key().length() >= 4)) continue;
            String words = " " + Finding.normalise(topic) + " ";
            List<Long> named = new ArrayList<>();
            for (Finding f : findings)
                if ((" " + Finding.normalise(f.title()) + " " + Finding.normalise(f.summary()) + " ").contains(words)) named.add(f.id());
            if (!named.isEmpty()) out.add(new Technique(k, topic, "untried", List.of(), null, 0, List.of(), named));
        }
        out.sort(RANK);
        return new TechniqueMap(steps, out);
    }

    /** The keys of a text's words, and of each run of two or three words together. */
    static Set<String> wordKeys(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text == null) return out;
        List<String> w = new ArrayList<>();
        for (String x : text.split("[^A-Za-z0-9]+")) if (!x.isEmpty()) w.add(x.toLowerCase(Locale.ROOT));
        for (int i = 0; i < w.size(); i++) {
            out.add(w.get(i));
            if (i + 1 < w.size()) out.add(w.get(i) + w.get(i + 1));
            if (i + 2 < w.size()) out.add(w.get(i) + w.get(i + 1) + w.get(i + 2));
        }
        return out;
    }

    /** technique_map.json: the techniques with their evidence, and each accepted submission's step. */
    public ObjectNode json() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        ArrayNode ts = root.putArray("techniques");
        for (Technique x : techniques) {
            ObjectNode o = ts.addObject().put("technique", x.name()).put("key", x.key()).put("status", x.status()).put("confirmed", x.confirmed());
            if (x.meanDelta() == null) o.putNull("mean_delta_bpb");
            else o.put("mean_delta_bpb", round(x.meanDelta()));
            ArrayNode ev = o.putArray("evidence");
            for (Step s : x.evidence()) ev.add(stepJson(om, s, false));
            ArrayNode fs = o.putArray("findings");
            x.findings().forEach(fs::add);
            ArrayNode own = o.putArray("own");
            for (Own w : x.own())
                own.addObject().put("candidate", w.candidateId()).put("tag", w.tag()).put("description", w.description())
                        .put("verdict", w.verdict()).put("delta_bpb", round(w.delta()));
        }
        ArrayNode ss = root.putArray("submissions");
        for (Step s : steps) ss.add(stepJson(om, s, true));
        return root;
    }

    private static ObjectNode stepJson(ObjectMapper om, Step s, boolean full) {
        ObjectNode o = om.createObjectNode().put("folder", s.submission().folder());
        if (s.pr() == null) o.putNull("pr");
        else o.put("pr", s.pr());
        if (s.submission().claimedBpb() == null) o.putNull("val_bpb");
        else o.put("val_bpb", s.submission().claimedBpb());
        if (s.parent() == null) o.putNull("parent");
        else {
            ObjectNode p = o.putObject("parent").put("folder", s.parent().folder());
            if (s.parentPr() == null) p.putNull("pr");
            else p.put("pr", s.parentPr());
            p.put("similarity", round(s.similarity()));
        }
        if (s.delta() == null) o.putNull("delta_bpb");
        else o.put("delta_bpb", round(s.delta()));
        o.put("seeds", s.seeds()).put("parent_seeds", s.parentSeeds()).put("confirmed", s.confirmed());
        if (s.p() != null) o.put("p", s.p());
        if (full) {
            ArrayNode t = o.putArray("techniques");
            s.techniques().forEach(t::add);
            ArrayNode c = o.putArray("code");
            s.code().stream().limit(40).forEach(c::add);
        }
        return o;
    }

    private static double round(double d) { return Math.round(d * 1e6) / 1e6; }

    /** The plan in a few lines for an agent's decision state: proven techniques first, each with its evidence. */
    public static List<String> summary(JsonNode map, int max) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : map.path("techniques")) {
            if (out.size() >= max) break;
            JsonNode d = t.path("mean_delta_bpb");
            int own = t.path("own").size();
            if ("untried".equals(t.path("status").asText())) {
                out.add(String.format(Locale.ROOT, "%s: untried, in %d research finding(s), in no submission yet", t.path("technique").asText(), t.path("findings").size()));
                continue;
            }
            out.add(String.format(Locale.ROOT, "%s: %s%s, %d submission(s), %d confirmed%s", t.path("technique").asText(), t.path("status").asText(),
                    d.isNumber() ? String.format(Locale.ROOT, ", mean delta %+.4f bpb", d.asDouble()) : "", t.path("evidence").size(), t.path("confirmed").asInt(),
                    own == 0 ? "" : String.format(Locale.ROOT, "; tried here %d time(s), %d kept", own,
                            java.util.stream.StreamSupport.stream(t.path("own").spliterator(), false).filter(o -> o.path("verdict").asText().equals(Verdict.KEEP)).count())));
        }
        return out;
    }
}
