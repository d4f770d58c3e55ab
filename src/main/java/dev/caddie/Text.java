package dev.caddie;

/** Text as the CLI, the decision state and the ledger's reasons show it. */
public final class Text {
    private Text() {}

    /** On one line (line breaks become spaces), at most {@code width} characters, "..." where it was cut; "" for null. */
    public static String oneLine(String s, int width) {
        if (s == null) return "";
        String one = s.replace('\n', ' ').strip();
        return one.length() <= width ? one : one.substring(0, Math.max(0, width - 3)) + "...";
    }
}
