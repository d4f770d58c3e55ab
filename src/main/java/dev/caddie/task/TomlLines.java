package dev.caddie.task;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps dotted key paths of a TOML text to the line they are written on, so that errors found after parsing
 * can still say where. Tables, dotted keys and the keys of one-line inline tables are covered.
 */
final class TomlLines {
    private static final Pattern TABLE = Pattern.compile("^\\s*\\[\\s*([^\\]]+?)\\s*]\\s*(#.*)?$");
    private static final Pattern KEY = Pattern.compile("^\\s*(\"[^\"]*\"|[A-Za-z0-9_.\\-]+)\\s*=");
    private static final Pattern INLINE_KEY = Pattern.compile("[{,]\\s*(\"[^\"]*\"|[A-Za-z0-9_\\-]+)\\s*=");

    private final Map<String, Integer> lines = new HashMap<>();

    TomlLines(String text) {
        String table = "";
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String l = all[i];
            Matcher t = TABLE.matcher(l);
            if (t.matches()) {
                table = unquote(t.group(1));
                lines.putIfAbsent(table, i + 1);
                continue;
            }
            Matcher k = KEY.matcher(l);
            if (k.find()) {
                String key = join(table, unquote(k.group(1)));
                lines.put(key, i + 1);
                Matcher in = INLINE_KEY.matcher(l.substring(k.end()));
                while (in.find()) lines.put(join(key, unquote(in.group(1))), i + 1);
            }
        }
    }

    /** The line of the key, else of its nearest enclosing table, else 1. */
    int line(String path) {
        for (String p = path; ; ) {
            Integer n = lines.get(p);
            if (n != null) return n;
            int dot = p.lastIndexOf('.');
            if (dot < 0) return 1;
            p = p.substring(0, dot);
        }
    }

    private static String join(String table, String key) { return table.isEmpty() ? key : table + "." + key; }

    private static String unquote(String s) { return s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s; }
}
