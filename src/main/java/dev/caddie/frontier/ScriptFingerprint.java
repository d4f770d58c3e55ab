package dev.caddie.frontier;

import dev.caddie.rules.PythonTokens;
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

    /** The code's Python tokens without comments, layout or docstrings (see {@link PythonTokens}). */
    static List<String> tokens(byte[] code) {
        return PythonTokens.of(code);
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
