package dev.caddie.gate;

import dev.caddie.rules.MinHash;
import dev.caddie.rules.PythonTokens;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a candidate changed, reduced to what makes it a different experiment: the added and removed lines of its
 * diff as Python tokens (whitespace, comments and layout gone), local names renamed to one placeholder (a renamed
 * variable is the same change), and its environment overrides as sorted KEY=VALUE items (reordered keys are the
 * same settings). Token 3-shingles of each line, signed + or -, go into a MinHash signature, so comparing one
 * candidate with a 10,000-candidate history costs signature compares, not diffs. The settings must match
 * exactly: the same code with another learning rate is another experiment, however alike the shingles are.
 *
 * @param signature   the MinHash signature of the code's shingle set, then one slot digesting the settings
 * @param changedLines added + removed lines of the diff
 * @param scaleRisks  the kinds of change known to transfer badly from a cheap tier to a dear one, with what named them
 */
public record ChangeFingerprint(long[] signature, int changedLines, List<String> scaleRisks) {
    static final MinHash HASH = new MinHash(64);
    private static final Set<String> KEEP = Set.of(
            "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
            "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
            "while", "with", "yield", "self", "int", "float", "bool", "str", "len", "range", "min", "max", "sum", "abs", "print", "list", "dict",
            "tuple", "set", "zip", "enumerate", "isinstance", "super", "torch", "nn", "F", "np", "os", "math");
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Kinds of change whose cheap-tier verdict often fails to carry to the full run, and what names each. */
    private static final Map<String, Pattern> RISKS = new java.util.LinkedHashMap<>();

    static {
        RISKS.put("batch size", Pattern.compile("(?i)batch|grad_?accum|accum_steps|micro_?bs"));
        RISKS.put("sequence length", Pattern.compile("(?i)seq_?len|block_size|context_len|max_len"));
        RISKS.put("step-count schedule", Pattern.compile("(?i)iterations|warmdown|warmup|max_steps|total_steps|num_steps|decay_steps|lr_schedule|cosine|schedule"));
        RISKS.put("compile flags", Pattern.compile("(?i)torch\\.compile|\\bcompile\\b|max-autotune|fullgraph|dynamic\\s*="));
    }

    /**
     * @param diff the unified diff of the candidate against its parent (only lines starting with + or - are read)
     * @param env  the candidate's environment overrides
     */
    public static ChangeFingerprint of(String diff, Map<String, String> env) {
        Set<String> shingles = new LinkedHashSet<>();
        List<String> risky = new ArrayList<>();
        int changed = 0;
        for (String line : diff.split("\n", -1)) {
            if (line.isEmpty() || line.startsWith("+++") || line.startsWith("---")) continue;
            char sign = line.charAt(0);
            if (sign != '+' && sign != '-') continue;
            changed++;
            String body = line.substring(1);
            List<String> tokens = normalise(PythonTokens.of(body.getBytes(StandardCharsets.UTF_8)));
            if (tokens.isEmpty()) continue; // a comment or a blank line changes no experiment
            risks(body, risky);
            if (tokens.size() < 3) shingles.add(sign + String.join(" ", tokens));
            for (int i = 0; i + 3 <= tokens.size(); i++) shingles.add(sign + tokens.get(i) + " " + tokens.get(i + 1) + " " + tokens.get(i + 2));
        }
        StringBuilder settings = new StringBuilder();
        for (var e : new TreeMap<>(env).entrySet()) {
            shingles.add("env " + e.getKey() + "=" + e.getValue());
            settings.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            risks(e.getKey(), risky);
        }
        if (shingles.isEmpty()) shingles.add("(no change)");
        long[] code = HASH.signature(shingles);
        long[] sig = java.util.Arrays.copyOf(code, code.length + 1);
        sig[code.length] = digest(settings.toString());
        return new ChangeFingerprint(sig, changed, List.copyOf(risky));
    }

    /** Local names become one placeholder; attributes, calls, keywords, builtins, strings and numbers stay. */
    static List<String> normalise(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("\n")) continue;
            boolean name = IDENT.matcher(t).matches() && !KEEP.contains(t);
            boolean attribute = i > 0 && tokens.get(i - 1).equals(".");
            boolean called = i + 1 < tokens.size() && (tokens.get(i + 1).equals("(") || tokens.get(i + 1).equals("."));
            boolean keyword = i + 1 < tokens.size() && tokens.get(i + 1).equals("=") && i > 0 && (tokens.get(i - 1).equals("(") || tokens.get(i - 1).equals(","));
            out.add(name && !attribute && !called && !keyword ? "_" : t);
        }
        return out;
    }

    private static void risks(String text, List<String> into) {
        for (var r : RISKS.entrySet()) {
            var m = r.getValue().matcher(text);
            if (m.find()) {
                String said = r.getKey() + " (" + m.group() + ")";
                if (into.stream().noneMatch(x -> x.startsWith(r.getKey() + " "))) into.add(said);
            }
        }
    }

    /** Estimated Jaccard similarity of the two changes' code, or 0 when their settings differ. */
    public double similarity(long[] other) {
        int n = signature.length;
        if (other.length != n || other[n - 1] != signature[n - 1]) return 0;
        return MinHash.similarity(java.util.Arrays.copyOf(signature, n - 1), java.util.Arrays.copyOf(other, n - 1));
    }

    private static long digest(String s) {
        long h = 0xcbf29ce484222325L; // FNV-1a: stable across runs, unlike String.hashCode's 32 bits
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** The signature as bytes for the ledger, and back. */
    public static byte[] bytes(long[] sig) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(sig.length * 8);
        for (long x : sig) b.putLong(x);
        return b.array();
    }

    public static long[] signature(byte[] bytes) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        long[] sig = new long[bytes.length / 8];
        for (int i = 0; i < sig.length; i++) sig[i] = b.getLong();
        return sig;
    }
}
