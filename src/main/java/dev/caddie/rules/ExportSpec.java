package dev.caddie.rules;

import java.util.List;
import java.util.Locale;

/**
 * What an export looks like before it is trained: its tensor groups and how they are quantized, laid
 * out, shuffled and compressed. The input of the artifact size model.
 *
 * @param floatParams small tensors passed through as floats (norm gains, mixing scalars, ...)
 * @param floatBits   16 or 32: how those are stored
 * @param rowLength   values per quantization row (the input width of a linear layer)
 * @param clipSigmas  SDClip's k for sub-8-bit groups and for 8-bit groups; null takes the records' 12.85 and 20
 */
public record ExportSpec(List<TensorGroup> groups, long floatParams, int floatBits, Quantizer quantizer, Layout layout,
                         Shuffle shuffle, Compressor compressor, long codeBytes, int rowLength, WeightShape shape, double[] clipSigmas) {

    /** How quantized integers become bytes before compression. */
    public enum Layout {
        /** One int8 per value whatever the bit width (what torch.save of int8 tensors gives). */
        INT8,
        /** Values bit-packed back to back at their width. */
        PACKED;

        public static Layout parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "int8", "int8-container", "container" -> INT8;
                case "packed", "bit-packed", "bitpacked" -> PACKED;
                default -> throw new IllegalArgumentException("unknown scheme '" + s + "'; accepted: int8 (one int8 container per value, fp16 row scales) or packed (bit-packed at the group's width)");
            };
        }
    }

    /** A byte transpose some exporters apply before compressing (BSHF stride 2 groups the bytes of 16-bit words). */
    public enum Shuffle {
        NONE, BYTE2;

        public static Shuffle parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "", "none", "no" -> NONE;
                case "byte2", "bshf2", "byte-shuffle-2" -> BYTE2;
                default -> throw new IllegalArgumentException("unknown shuffle '" + s + "'; accepted: none, byte2");
            };
        }
    }

    public ExportSpec {
        groups = List.copyOf(groups);
        if (groups.isEmpty()) throw new IllegalArgumentException("no tensor groups: give --params and --bits, or --group NAME:PARAMS:BITS");
        if (floatBits != 16 && floatBits != 32) throw new IllegalArgumentException("float passthrough bits must be 16 or 32, got " + floatBits);
        if (rowLength < 1) throw new IllegalArgumentException("row length must be positive, got " + rowLength);
        if (floatParams < 0 || codeBytes < 0) throw new IllegalArgumentException("float params and code bytes cannot be negative");
    }

    /** The seed formula Caddie replaces: params x bits / 8 x 0.90 + code, kept for comparison in reports. */
    public long naiveTotalBytes() {
        double bits = groups.stream().mapToDouble(g -> g.params() * g.storage().nominalBits()).sum() + floatParams * (double) floatBits;
        return Math.round(bits / 8 * 0.90) + codeBytes;
    }

    double clipSigmasFor(int bits) {
        if (clipSigmas != null && clipSigmas.length > 0) return bits >= 8 && clipSigmas.length > 1 ? clipSigmas[1] : clipSigmas[0];
        return bits >= 8 ? 20.0 : 12.85;
    }
}
