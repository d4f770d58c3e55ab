package dev.caddie.rules;

import java.util.Locale;

/** How one tensor group's values are stored in the export: an integer width, a float format, or packed ternary/binary. */
public record Storage(Kind kind, int bits) {
    public enum Kind { INT, FP16, BF16, FP32, FP8, TERNARY, BINARY }

    public static final String ACCEPTED = "2..8 (integer bits), 16 (fp16), bf16, 32 (fp32), fp8, 1.58 (ternary) or 1 (binary)";

    /** Parses the BITS field of a NAME:PARAMS:BITS group; a name starting with fp8 marks an 8-bit fp8 group, as records name them. */
    public static Storage parse(String bits, String groupName) {
        String b = bits.trim().toLowerCase(Locale.ROOT);
        switch (b) {
            case "fp8", "e4m3" -> { return new Storage(Kind.FP8, 8); }
            case "fp16", "16", "16.0" -> { return new Storage(Kind.FP16, 16); }
            case "bf16" -> { return new Storage(Kind.BF16, 16); }
            case "fp32", "32" -> { return new Storage(Kind.FP32, 32); }
            case "1.58", "1.6", "ternary" -> { return new Storage(Kind.TERNARY, 2); }
            case "1", "binary" -> { return new Storage(Kind.BINARY, 1); }
            default -> { }
        }
        int n;
        try {
            double d = Double.parseDouble(b); // tables write 6 or 6.0 alike
            if (d != Math.rint(d)) throw new NumberFormatException();
            n = (int) d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bits '" + bits + "' not understood; accepted: " + ACCEPTED);
        }
        if (n < 2 || n > 8) throw new IllegalArgumentException("bits " + n + " not supported; accepted: " + ACCEPTED);
        if (n == 8 && groupName.toLowerCase(Locale.ROOT).startsWith("fp8")) return new Storage(Kind.FP8, 8);
        return new Storage(Kind.INT, n);
    }

    /** Nominal bits per parameter, the figure a naive size formula multiplies by. */
    public double nominalBits() {
        return kind == Kind.TERNARY ? 1.58 : bits;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case INT -> "int" + bits;
            case FP16 -> "fp16";
            case BF16 -> "bf16";
            case FP32 -> "fp32";
            case FP8 -> "fp8-e4m3";
            case TERNARY -> "ternary";
            case BINARY -> "binary";
        };
    }
}
