package dev.caddie.rules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Python source read as tokens, enough to compare programs: strings, names, numbers and operators in order. */
public final class PythonTokens {
    private PythonTokens() {}

    /**
     * The code's Python tokens without comments, layout, line continuations and docstrings: two scripts with the same
     * tokens are one program however they were formatted (what a reviewer means by "the baseline again").
     * Statement ends are kept as "\n" tokens; indentation is not (a reformat changes its width, not its tokens).
     */
    public static List<String> of(byte[] code) {
        String t = new String(code, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int depth = 0, i = 0, n = t.length();
        while (i < n) {
            char c = t.charAt(i);
            if (c == '#') {
                while (i < n && t.charAt(i) != '\n') i++;
            } else if (c == '\\' && i + 1 < n && t.charAt(i + 1) == '\n') {
                i += 2;
            } else if (c == '\n') {
                if (depth == 0 && !out.isEmpty() && !out.get(out.size() - 1).equals("\n")) out.add("\n");
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"' || isPrefix(t, i)) {
                int start = i;
                while (t.charAt(i) != '\'' && t.charAt(i) != '"') i++;
                char q = t.charAt(i);
                boolean triple = t.startsWith(String.valueOf(q).repeat(3), i);
                i += triple ? 3 : 1;
                while (i < n) {
                    char d = t.charAt(i);
                    if (d == '\\') { i += 2; continue; }
                    if (d == q && (!triple || t.startsWith(String.valueOf(q).repeat(3), i))) { i += triple ? 3 : 1; break; }
                    if (d == '\n' && !triple) break;
                    i++;
                }
                out.add(t.substring(start, Math.min(i, n)));
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_' || t.charAt(i) == '.' && i + 1 < n && Character.isDigit(t.charAt(i + 1)))) i++;
                out.add(t.substring(start, i));
            } else {
                if ("([{".indexOf(c) >= 0) depth++;
                else if (")]}".indexOf(c) >= 0 && depth > 0) depth--;
                out.add(String.valueOf(c));
                i++;
            }
        }
        // a string that is a whole statement is a docstring (or a comment written as one): not code
        List<String> code2 = new ArrayList<>();
        for (int k = 0; k < out.size(); k++) {
            String tok = out.get(k);
            boolean alone = (k == 0 || out.get(k - 1).equals("\n") || out.get(k - 1).equals(":")) && (k + 1 == out.size() || out.get(k + 1).equals("\n"));
            if (alone && (tok.endsWith("\"") || tok.endsWith("'"))) continue;
            code2.add(tok);
        }
        return code2;
    }

    /** A string prefix (r, b, f, u and their pairs) right before a quote. */
    private static boolean isPrefix(String t, int i) {
        int j = i;
        while (j < t.length() && j - i < 2 && "rRbBfFuU".indexOf(t.charAt(j)) >= 0) j++;
        return j > i && j < t.length() && (t.charAt(j) == '\'' || t.charAt(j) == '"') && (i == 0 || !Character.isLetterOrDigit(t.charAt(i - 1)) && t.charAt(i - 1) != '_');
    }

}
