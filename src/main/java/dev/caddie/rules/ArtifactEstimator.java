package dev.caddie.rules;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Predicts the compressed model size of an export without training it: each tensor group is sampled
 * (weights drawn from the {@link WeightShape}), quantized row by row the way the named exporter does,
 * laid out as the scheme says, shuffled if asked, compressed with the real compressor, and the sample's
 * bytes per parameter scaled to the group's count. No fixed ratio anywhere: the compressor sees bytes
 * with the statistics the real export has.
 */
public final class ArtifactEstimator {
    /** Values sampled per group: enough that compressors reach their steady rate (their windows are smaller). */
    static final int SAMPLE = 1 << 19;
    private static final int GROUP = 128; // ternary/binary scale groups, as the records use
    private static final double[] LITE_PERCENTILES = {0.999, 0.9995, 0.9999, 0.99999, 1.0};
    private static final double PCT_CLIP = 0.9999984;
    private static final double FP8_MAX = 448;

    private final long seed;

    public ArtifactEstimator() { this(1337); }

    public ArtifactEstimator(long seed) { this.seed = seed; }

    public ArtifactEstimate estimate(ExportSpec spec) {
        List<ArtifactEstimate.Group> out = new ArrayList<>();
        SplittableRandom root = new SplittableRandom(seed);
        for (TensorGroup g : spec.groups()) out.add(group(g, spec, root.split()));
        ArtifactEstimate.Group floats = spec.floatParams() == 0 ? null : floats(spec, root.split());
        return new ArtifactEstimate(spec, out, floats);
    }

    private ArtifactEstimate.Group group(TensorGroup g, ExportSpec spec, SplittableRandom rng) {
        Storage st = g.storage();
        int cols = (int) Math.min(spec.rowLength(), g.params());
        int rows = (int) Math.max(1, Math.min(g.params(), SAMPLE) / cols);
        float[] w = new float[rows * cols];
        spec.shape().sample(rng, w);
        Sample s = switch (st.kind()) {
            case INT -> integer(w, rows, cols, st.bits(), spec, g.clipSigmas());
            case FP16 -> Sample.plain(fp16(w, 0.02f), fp16Entropy(w, 0.02f));
            case BF16 -> {
                byte[] b = bf16(w, 0.02f);
                yield Sample.plain(b, SymbolEntropy.ofBytes(b) * b.length / 8);
            }
            case FP32 -> Sample.plain(fp32(w, 0.02f), 32.0 * w.length / 8);
            case FP8 -> fp8(w, rows, cols);
            case TERNARY -> ternary(w);
            case BINARY -> binary(w);
        };
        double scale = (double) g.params() / w.length;
        long bytes = s.compressed(spec);
        return new ArtifactEstimate.Group(g.name(), g.params(), st.toString(), Math.round(bytes * scale),
                Math.round(s.rawBytes() * scale), Math.round(s.entropyBytes * scale), s.relMse, s.detail);
    }

    /** Small passthrough tensors: gains and mixing scalars sit near one, so they are drawn around it. */
    private ArtifactEstimate.Group floats(ExportSpec spec, SplittableRandom rng) {
        int n = (int) Math.min(spec.floatParams(), SAMPLE);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (1 + 0.25 * WeightShape.gaussian(rng));
        byte[] bytes = spec.floatBits() == 16 ? fp16(w, 1) : fp32(w, 1);
        double scale = (double) spec.floatParams() / n;
        long c = spec.compressor().compressedSize(shuffle(bytes, spec.shuffle()));
        return new ArtifactEstimate.Group("float passthrough", spec.floatParams(), "fp" + spec.floatBits(), Math.round(c * scale),
                Math.round(bytes.length * scale), Math.round(bytes.length * scale * SymbolEntropy.ofBytes(bytes) / 8), 0, "");
    }

    /** The byte streams one group becomes; {@code alternative} is another layout the exporter may keep instead. */
    private record Sample(List<byte[]> streams, double entropyBytes, double relMse, String detail, Sample alternative) {
        Sample(List<byte[]> streams, double entropyBytes, double relMse, String detail) { this(streams, entropyBytes, relMse, detail, null); }

        static Sample plain(byte[] b, double entropyBytes) { return new Sample(List.of(b), entropyBytes, 0, ""); }

        Sample orSmaller(Sample other) { return new Sample(streams, entropyBytes, relMse, detail, other); }

        long rawBytes() { return streams.stream().mapToLong(b -> b.length).sum(); }

        long compressed(ExportSpec spec) {
            long bytes = 0;
            for (byte[] stream : streams) bytes += spec.compressor().compressedSize(shuffle(stream, spec.shuffle()));
            return alternative == null ? bytes : Math.min(bytes, alternative.compressed(spec));
        }
    }

    private Sample integer(float[] w, int rows, int cols, int bits, ExportSpec spec, Double groupClip) {
        int qmax = (1 << (bits - 1)) - 1;
        int[] q = new int[w.length];
        float[] scales = new float[rows];
        double err = 0, energy = 0;
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w, r * cols, row, 0, cols);
            float s = rowScale(row, qmax, bits, spec, groupClip);
            s = Float.float16ToFloat(Float.floatToFloat16(s)); // the scale is stored as fp16; rounding uses what is stored
            scales[r] = s;
            for (int c = 0; c < cols; c++) {
                int v = (int) Math.max(-qmax, Math.min(qmax, Math.rint(row[c] / s)));
                q[r * cols + c] = v;
                double d = row[c] - v * s;
                err += d * d;
                energy += (double) row[c] * row[c];
            }
        }
        byte[] values = spec.layout() == ExportSpec.Layout.INT8 ? int8(q) : packed(q, bits, qmax);
        byte[] scaleBytes = fp16(scales, 1);
        int[] sym = new int[q.length];
        for (int i = 0; i < q.length; i++) sym[i] = q[i] + qmax;
        double h = SymbolEntropy.ofSymbols(sym, 2 * qmax + 1);
        double entropy = h * q.length / 8 + fp16Entropy(scales, 1);
        return new Sample(List.of(values, scaleBytes), entropy, err / energy, String.format(java.util.Locale.ROOT, "%.2f bits/value entropy", h));
    }

    /** The row scale each exporter would choose (before fp16 rounding). */
    private static float rowScale(float[] row, int qmax, int bits, ExportSpec spec, Double groupClip) {
        return switch (spec.quantizer()) {
            case PCT_CLIP -> (float) (quantileAbs(row, PCT_CLIP) / qmax);
            case AMAX, TERNARY_PACKED, BINARY_PACKED -> (float) (quantileAbs(row, 1.0) / qmax);
            case GPTQ_LITE, GPTQ -> liteScale(row, qmax);
            case GPTQ_SDCLIP -> (float) Math.max(1e-10, (groupClip != null ? groupClip : spec.clipSigmasFor(bits)) * std(row) / qmax);
        };
    }

    private static float liteScale(float[] row, int qmax) {
        float best = 0;
        double bestErr = Double.MAX_VALUE;
        for (double p : LITE_PERCENTILES) {
            float s = (float) (quantileAbs(row, p) / qmax);
            if (s <= 0) continue;
            double e = 0;
            for (float x : row) {
                double v = Math.max(-qmax, Math.min(qmax, Math.rint(x / s)));
                double d = x - v * s;
                e += d * d;
            }
            if (e < bestErr) {
                bestErr = e;
                best = s;
            }
        }
        return best;
    }

    /** torch.quantile's linear interpolation over |row|. */
    static double quantileAbs(float[] row, double p) {
        double[] a = new double[row.length];
        for (int i = 0; i < row.length; i++) a[i] = Math.abs(row[i]);
        Arrays.sort(a);
        double pos = p * (a.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(a.length - 1, lo + 1);
        return a[lo] + (a[hi] - a[lo]) * (pos - lo);
    }

    private static double std(float[] row) {
        double mean = 0;
        for (float x : row) mean += x;
        mean /= row.length;
        double v = 0;
        for (float x : row) v += (x - mean) * (x - mean);
        return Math.sqrt(v / Math.max(1, row.length - 1));
    }

    private Sample fp8(float[] w, int rows, int cols) {
        byte[] out = new byte[w.length];
        double err = 0, energy = 0;
        for (int r = 0; r < rows; r++) {
            double amax = 0;
            for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(w[r * cols + c]));
            double k = amax == 0 ? 1 : FP8_MAX / amax;
            for (int c = 0; c < cols; c++) {
                float x = w[r * cols + c];
                byte b = Fp8.encode((float) (x * k));
                out[r * cols + c] = b;
                double d = x - Fp8.decode(b) / k;
                err += d * d;
                energy += (double) x * x;
            }
        }
        return new Sample(List.of(out), SymbolEntropy.ofBytes(out) * out.length / 8, err / energy, "");
    }

    /** Absmean ternary per group; the exporter keeps the smaller of base-3 packing and a nonzero mask plus signs. */
    private Sample ternary(float[] w) {
        int groups = (w.length + GROUP - 1) / GROUP;
        float[] scales = new float[groups];
        int[] t = new int[w.length];
        double err = 0, energy = 0;
        for (int g = 0; g < groups; g++) {
            int from = g * GROUP, to = Math.min(w.length, from + GROUP);
            double mean = 0;
            for (int i = from; i < to; i++) mean += Math.abs(w[i]);
            float s = Float.float16ToFloat(Float.floatToFloat16((float) Math.max(1e-8, mean / (to - from))));
            scales[g] = s;
            for (int i = from; i < to; i++) {
                t[i] = (int) Math.max(-1, Math.min(1, Math.rint(w[i] / s)));
                double d = w[i] - t[i] * s;
                err += d * d;
                energy += (double) w[i] * w[i];
            }
        }
        ByteArrayOutputStream mask = new ByteArrayOutputStream(), signs = new ByteArrayOutputStream(), base3 = new ByteArrayOutputStream();
        BitWriter m = new BitWriter(mask), sg = new BitWriter(signs);
        for (int v : t) {
            m.write(v != 0 ? 1 : 0, 1);
            if (v != 0) sg.write(v > 0 ? 1 : 0, 1);
        }
        m.flush();
        sg.flush();
        for (int i = 0; i < t.length; i += 5) {
            int b = 0;
            for (int j = Math.min(t.length, i + 5) - 1; j >= i; j--) b = b * 3 + t[j] + 1;
            base3.write(b);
        }
        byte[] scaleBytes = fp16(scales, 1);
        int[] sym = new int[t.length];
        for (int i = 0; i < t.length; i++) sym[i] = t[i] + 1;
        double entropy = SymbolEntropy.ofSymbols(sym, 3) * t.length / 8 + fp16Entropy(scales, 1);
        double zeros = Arrays.stream(sym).filter(v -> v == 1).count() / (double) t.length;
        String detail = String.format(java.util.Locale.ROOT, "%.1f%% zeros", 100 * zeros);
        return new Sample(List.of(mask.toByteArray(), signs.toByteArray(), scaleBytes), entropy, err / energy, detail)
                .orSmaller(new Sample(List.of(base3.toByteArray(), scaleBytes), entropy, err / energy, detail));
    }

    private Sample binary(float[] w) {
        int groups = (w.length + GROUP - 1) / GROUP;
        float[] scales = new float[groups];
        ByteArrayOutputStream bits = new ByteArrayOutputStream();
        BitWriter bw = new BitWriter(bits);
        double err = 0, energy = 0;
        for (int g = 0; g < groups; g++) {
            int from = g * GROUP, to = Math.min(w.length, from + GROUP);
            double mean = 0;
            for (int i = from; i < to; i++) mean += Math.abs(w[i]);
            scales[g] = (float) (mean / (to - from));
            for (int i = from; i < to; i++) {
                bw.write(w[i] >= 0 ? 1 : 0, 1);
                double d = Math.abs(w[i]) - scales[g];
                err += d * d;
                energy += (double) w[i] * w[i];
            }
        }
        bw.flush();
        return new Sample(List.of(bits.toByteArray(), fp16(scales, 1)), w.length / 8.0 + fp16Entropy(scales, 1), err / energy, "");
    }

    private static byte[] int8(int[] q) {
        byte[] b = new byte[q.length];
        for (int i = 0; i < q.length; i++) b[i] = (byte) q[i];
        return b;
    }

    private static byte[] packed(int[] q, int bits, int qmax) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(q.length * bits / 8 + 1);
        BitWriter bw = new BitWriter(out);
        for (int v : q) bw.write(v + qmax, bits);
        bw.flush();
        return out.toByteArray();
    }

    static byte[] fp16(float[] w, float scale) {
        byte[] b = new byte[w.length * 2];
        for (int i = 0; i < w.length; i++) {
            short h = Float.floatToFloat16(w[i] * scale);
            b[2 * i] = (byte) h;
            b[2 * i + 1] = (byte) (h >> 8);
        }
        return b;
    }

    /** bfloat16: the top half of the fp32 bits, rounded to nearest even. */
    private static byte[] bf16(float[] w, float scale) {
        byte[] b = new byte[w.length * 2];
        for (int i = 0; i < w.length; i++) {
            int bits = Float.floatToRawIntBits(w[i] * scale);
            int h = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
            b[2 * i] = (byte) h;
            b[2 * i + 1] = (byte) (h >> 8);
        }
        return b;
    }

    private static byte[] fp32(float[] w, float scale) {
        byte[] b = new byte[w.length * 4];
        for (int i = 0; i < w.length; i++) {
            int v = Float.floatToRawIntBits(w[i] * scale);
            for (int k = 0; k < 4; k++) b[4 * i + k] = (byte) (v >> (8 * k));
        }
        return b;
    }

    private static double fp16Entropy(float[] w, float scale) {
        int[] sym = new int[w.length];
        for (int i = 0; i < w.length; i++) sym[i] = Float.floatToFloat16(w[i] * scale) & 0xffff;
        return SymbolEntropy.ofSymbols(sym, 1 << 16) * w.length / 8;
    }

    /** BSHF-style transpose: all first bytes of each 2-byte word, then all second bytes. */
    static byte[] shuffle(byte[] b, ExportSpec.Shuffle shuffle) {
        if (shuffle == ExportSpec.Shuffle.NONE) return b;
        byte[] out = new byte[b.length];
        int half = (b.length + 1) / 2;
        for (int i = 0; i < b.length; i++) out[(i % 2 == 0 ? 0 : half) + i / 2] = b[i];
        return out;
    }

    /** LSB-first bit packing. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out;
        private long acc;
        private int n;

        BitWriter(ByteArrayOutputStream out) { this.out = out; }

        void write(int value, int bits) {
            acc |= ((long) value & ((1L << bits) - 1)) << n;
            n += bits;
            while (n >= 8) {
                out.write((int) (acc & 0xff));
                acc >>>= 8;
                n -= 8;
            }
        }

        void flush() {
            if (n > 0) out.write((int) (acc & 0xff));
            acc = 0;
            n = 0;
        }
    }
}
