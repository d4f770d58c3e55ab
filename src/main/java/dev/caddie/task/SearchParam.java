package dev.caddie.task;

import java.util.List;
import java.util.Locale;

/** One environment variable the built-in proposer may set, with its range. */
public record SearchParam(String name, Kind kind, double low, double high, List<String> choices, String defaultValue) {

    /** How values are drawn: integers, reals on a linear or a log scale, or one of a list. */
    public enum Kind {
        INT("int"), FLOAT("float"), LOG_FLOAT("log-float"), CATEGORICAL("categorical");

        public final String word;
        Kind(String word) { this.word = word; }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.word.equals(s)) return k;
            return null;
        }
    }

    /** The value as the environment variable will read it. */
    public String format(double x) {
        return switch (kind) {
            case INT -> Long.toString(Math.round(x));
            case CATEGORICAL -> choices.get((int) x);
            default -> {
                String s = String.format(Locale.ROOT, "%.6g", x);
                yield s.contains("e") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", ".0");
            }
        };
    }
}
