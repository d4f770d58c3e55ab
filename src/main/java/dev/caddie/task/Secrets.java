package dev.caddie.task;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of what Caddie stores and prints, and out of the processes it starts. A run or an agent
 * that prints a key (a traceback, a CLI error) must not have it copied into the ledger, a run log or an export;
 * and a training script, which runs unsandboxed, gets a secret only when its tier asks for it by name.
 */
public final class Secrets {
    /** Environment variable names that hold credentials by convention. */
    private static final Pattern NAME = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$");
    /** Well-known credential shapes, redacted even when the value is not in Caddie's environment. */
    private static final Pattern SHAPES = Pattern.compile(
            "\\b(sk-(?:ant-|proj-)?[A-Za-z0-9_\\-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|hf_[A-Za-z0-9]{30,}"
                    + "|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|rpa_[A-Za-z0-9]{20,})");
    /** Shorter values would redact ordinary words and numbers. */
    private static final int MIN_VALUE_LENGTH = 6;
    private static final Set<String> registered = ConcurrentHashMap.newKeySet();
    private static volatile List<Map.Entry<String, String>> values;

    private Secrets() {}

    public static boolean isSecretName(String name) { return NAME.matcher(name).matches() || registered.contains(name); }

    /** A variable named in caddie.toml as holding a key (api_key_env, pass_env), whatever its name. */
    public static void register(String envName) {
        if (registered.add(envName)) values = null;
    }

    /** The environment a child process gets: every secret-named variable removed except those named in keep. */
    public static void strip(Map<String, String> env, Collection<String> keep) {
        env.keySet().removeIf(k -> isSecretName(k) && !keep.contains(k));
    }

    /** The text with every secret value of Caddie's environment, and every well-known key shape, replaced by a marker. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) return text;
        for (Map.Entry<String, String> e : secretValues())
            if (text.contains(e.getValue())) text = text.replace(e.getValue(), "[redacted " + e.getKey() + "]");
        return SHAPES.matcher(text).replaceAll("[redacted]");
    }

    private static List<Map.Entry<String, String>> secretValues() {
        List<Map.Entry<String, String>> v = values;
        if (v == null) {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet())
                if (isSecretName(e.getKey()) && e.getValue().strip().length() >= MIN_VALUE_LENGTH) out.add(Map.entry(e.getKey(), e.getValue().strip()));
            out.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getValue().length()).reversed()); // a key containing another goes first
            values = v = List.copyOf(out);
        }
        return v;
    }
}
