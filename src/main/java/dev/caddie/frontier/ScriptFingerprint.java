package dev.caddie.frontier;

import dev.caddie.rules.ScriptCode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A script's code with what does not change what it runs left out: comments, docstrings, blank lines, line breaks
 * inside brackets, indentation width and runs of spaces; a compressed exec wrapper is read as the code it unpacks to. Two scripts with one fingerprint are
 * one program however they were formatted or shipped, which byte identity (a git blob) misses.
 */
public final class ScriptFingerprint {
    private ScriptFingerprint() {}

    /** The fingerprint (hex), or null when the bytes are no script that can be read. */
    public static String of(byte[] script) {
        try {
            return ChallengeRepo.sha256(String.join("\u0000", tokens(ScriptCode.of(Path.of("train_gpt.py"), script).code()))).substring(0, 32);
        } catch (IllegalArgumentException e) {
            return null; // a wrapper that does not decode: byte identity still finds its copies
        }
    }

    /** The code's lines without comments, blank lines or layout, in order. */
    static List<String> normalisedLines(byte[] code) {
        String text = new String(code, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        char quote = 0;       // the quote character of the string being read, or 0 outside strings
        boolean triple = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quote != 0) {
                line.append(ch);
                if (ch == '\\' && i + 1 < text.length()) {
                    line.append(text.charAt(++i));
                } else if (ch == quote && (!triple || text.startsWith(String.valueOf(quote).repeat(2), i + 1))) {
                    if (triple) {
                        line.append(quote).append(quote);
                        i += 2;
                    }
                    quote = 0;
                } else if (ch == '\n' && !triple) {
                    quote = 0; // an unterminated one-line string: the line ends it for our purposes
                }
                continue;
            }
            if (ch == '#') {
                while (i + 1 < text.length() && text.charAt(i + 1) != '\n') i++;
            } else if (ch == '\'' || ch == '"') {
                triple = text.startsWith(String.valueOf(ch).repeat(3), i);
                quote = ch;
                line.append(ch);
                if (triple) {
                    line.append(ch).append(ch);
                    i += 2;
                }
            } else if (ch == '\n') {
                flush(line, out);
            } else line.append(ch);
        }
        flush(line, out);
        return out;
    }

    /**
     * The code's Python tokens without comments, layout, line continuations and docstrings: two scripts with the same
     * tokens are one program however they were formatted (what a reviewer means by "the baseline again").
     * Statement ends are kept as "\n" tokens; indentation is not (a reformat changes its width, not its tokens).
     */
    static List<String> tokens(byte[] code) {
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

    /** The share of distinct lines the two have in common (Jaccard of their line sets). */
    static double overlap(List<String> a, List<String> b) {
        java.util.Set<String> x = new java.util.HashSet<>(a), y = new java.util.HashSet<>(b);
        int union = x.size();
        int both = 0;
        for (String l : y) if (x.contains(l)) both++; else union++;
        return union == 0 ? 1 : both / (double) union;
    }

    private static void flush(StringBuilder line, List<String> out) {
        String l = line.toString().strip().replaceAll("[ \\t]+", " ");
        line.setLength(0);
        if (!l.isEmpty()) out.add(l);
    }
}
