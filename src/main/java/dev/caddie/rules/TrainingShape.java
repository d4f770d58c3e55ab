package dev.caddie.rules;

import java.util.Locale;

/**
 * The shape of a training run, enough to say how many steps fit in the time limit and whether a step
 * fits in GPU memory before anything is trained.
 *
 * @param params         trained parameters (all of them, float and quantized alike)
 * @param layers         transformer blocks (counting repeats of a looped block)
 * @param dim            model width
 * @param vocab          vocabulary size (the logits are vocab wide)
 * @param seqLen         tokens per sequence
 * @param batchTokens    tokens per optimizer step over all GPUs
 * @param gradAccum      micro-batches per step on each GPU
 * @param gpus           data-parallel GPUs
 * @param gpu            the accelerator
 * @param timeLimitS     training wall-clock limit
 * @param measuredStepMs a measured step time for this shape, when the ledger has one (else null)
 * @param measuredSource where the measured step time came from
 */
public record TrainingShape(long params, int layers, int dim, int vocab, int seqLen, long batchTokens, int gradAccum, int gpus, Gpu gpu,
                            double timeLimitS, Double measuredStepMs, String measuredSource) {

    /** Dense bf16 peak and usable memory of the GPUs Parameter Golf runs on. */
    public enum Gpu {
        H100(989e12, 80L << 30), H200(989e12, 141L << 30), A100(312e12, 80L << 30);

        public final double peakFlops;
        public final long memoryBytes;

        Gpu(double peakFlops, long memoryBytes) {
            this.peakFlops = peakFlops;
            this.memoryBytes = memoryBytes;
        }

        public static Gpu parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown GPU '" + s + "'; accepted: h100, h200, a100");
            }
        }
    }

    /**
     * The model FLOPs utilisation assumed when no step time was measured: the naive baseline record
     * (17.06M params, 524,288 tokens a step on 8xH100) made 13,780 steps in 600 s, which is about 20%.
     */
    public static final double ROOFLINE_MFU = 0.20;

    /** Forward and backward FLOPs of one optimizer step: 6 per parameter per token plus causal attention scores. */
    public double flopsPerStep() {
        double dense = 6.0 * params * batchTokens;
        double attention = 6.0 * layers * seqLen * (double) dim * batchTokens; // 12 L T d per token, halved by the causal mask
        return dense + attention;
    }

    public double stepMs() {
        if (measuredStepMs != null) return measuredStepMs;
        return flopsPerStep() / (gpus * gpu.peakFlops * ROOFLINE_MFU) * 1000;
    }

    public long steps() { return (long) Math.floor(timeLimitS * 1000 / stepMs()); }

    public long tokensSeen() { return steps() * batchTokens; }

    /** Per GPU: fp32 weights, fp32 gradients, two fp32 optimizer moments, and the live micro-batch's activations. */
    public Memory memory() {
        long weights = 4 * params, grads = 4 * params, optimizer = 8 * params;
        long tokensPerGpu = Math.max(1, batchTokens / ((long) gpus * gradAccum));
        // bf16 activations kept for backward with fused attention: about 34 x dim bytes per token per
        // block (Korthikanti et al., 2022, without the attention-score term flash attention removes),
        // plus the logits in bf16 and their fp32 softmax.
        long activations = 34L * dim * tokensPerGpu * layers + 6L * vocab * tokensPerGpu;
        return new Memory(weights, grads, optimizer, activations, gpu.memoryBytes);
    }

    public record Memory(long weights, long gradients, long optimizer, long activations, long available) {
        public long total() { return weights + gradients + optimizer + activations; }

        public boolean fits() { return total() <= available; }
    }
}
