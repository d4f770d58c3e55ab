package dev.caddie.rules;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an exporter picks each row's scale before rounding: the choices seen in Parameter Golf records. */
public enum Quantizer {
    /** Clip at the 99.99984th percentile of |w| per row (the baseline's int8 export). */
    PCT_CLIP("pct-clip"),
    /** Scale to the row's absolute maximum. */
    AMAX("amax"),
    /** Per-row clip picked among five percentiles (0.999 .. 1.0) by the lowest reconstruction error. */
    GPTQ_LITE("gptq-lite"),
    /** Hessian-compensated rounding with the same per-row clip search; the size model treats the rounding as GPTQ-lite's. */
    GPTQ("gptq"),
    /** Clip at k standard deviations of the row (SDClip), usually with GPTQ rounding. */
    GPTQ_SDCLIP("gptq-sdclip"),
    /** Ternary {-1,0,1} per group of 128 with an absmean fp16 scale (integer groups fall back to amax). */
    TERNARY_PACKED("ternary-packed"),
    /** Binary {-1,1} per group of 128 with an absmean fp16 scale (integer groups fall back to amax). */
    BINARY_PACKED("binary-packed");

    public final String code;

    Quantizer(String code) { this.code = code; }

    public static Quantizer parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (Quantizer q : values()) if (q.code.equals(t)) return q;
        if (t.equals("sdclip")) return GPTQ_SDCLIP;
        throw new IllegalArgumentException("unknown quantizer '" + s + "'; accepted: "
                + Arrays.stream(values()).map(q -> q.code).collect(Collectors.joining(", ")));
    }
}
