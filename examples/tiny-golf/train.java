// Tiny Golf: a byte-level GPT trained on 2 CPU cores, the CPU-scale twin of Parameter Golf's train_gpt.py.
// Run from this folder with `java train.java`. Hyperparameters come from environment variables with the
// names train_gpt.py uses. Reads top to bottom: hyperparameters, data, model, optimizer, training, export, eval.
// Rules: artifact (this file's bytes + compressed model) <= 160,000 bytes, <= 600 s training, <= 1,500 lines.

import java.io.*;
import java.nio.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.*;

public class train {

    // ----------------------------------------------------------------------------------------------------
    // Hyperparameters

    static final class Hyperparameters {
        final String dataPath = str("DATA_PATH", "./data");
        final String runId = str("RUN_ID", UUID.randomUUID().toString());
        final long seed = integer("SEED", 1337, 0, Long.MAX_VALUE);
        final int iterations = (int) integer("ITERATIONS", 20000, 0, 100_000_000);
        final int warmupSteps = (int) integer("WARMUP_STEPS", 10, 0, 100_000_000);
        final int warmdownIters = (int) integer("WARMDOWN_ITERS", 100, 0, 100_000_000);
        final double maxWallclockSeconds = real("MAX_WALLCLOCK_SECONDS", 600.0, 0, 1e9);
        final int trainBatchTokens = (int) integer("TRAIN_BATCH_TOKENS", 2048, 1, 1 << 24);
        final int trainSeqLen = (int) integer("TRAIN_SEQ_LEN", 64, 2, 1 << 16);
        final int valLossEvery = (int) integer("VAL_LOSS_EVERY", 0, 0, 100_000_000);
        final int trainLogEvery = (int) integer("TRAIN_LOG_EVERY", 10, 1, 100_000_000);
        final int valBatchSize = (int) integer("VAL_BATCH_SIZE", 16384, 1, 1 << 26);
        final int evalStride = (int) integer("EVAL_STRIDE", 0, 0, 1 << 16); // 0: TRAIN_SEQ_LEN, windows that do not overlap
        final int valMaxTokens = (int) integer("VAL_MAX_TOKENS", 0, 0, Integer.MAX_VALUE); // 0: the whole split; micro-runs cap it
        final int vocabSize = 256; // tokens are UTF-8 bytes
        final int numLayers = (int) integer("NUM_LAYERS", 2, 1, 64);
        final int modelDim = (int) integer("MODEL_DIM", 64, 2, 8192);
        final int numHeads = (int) integer("NUM_HEADS", 4, 1, 1024);
        final int mlpMult = (int) integer("MLP_MULT", 4, 1, 64);
        final int bigramVocab = (int) integer("BIGRAM_VOCAB", 0, 0, 1 << 20); // 0: no bigram hash embedding
        final int bigramDim = (int) integer("BIGRAM_DIM", 32, 1, 8192);
        final boolean tieEmbeddings = bool("TIE_EMBEDDINGS", true);
        final double logitSoftcap = real("LOGIT_SOFTCAP", 30.0, 0, 1e6);
        final double ropeBase = real("ROPE_BASE", 10000.0, 1.0, 1e12);
        final double embedLr = real("EMBED_LR", 0.01, 0, 10);
        final double matrixLr = real("MATRIX_LR", 0.004, 0, 10);
        final double scalarLr = real("SCALAR_LR", 0.004, 0, 10);
        final double beta1 = real("BETA1", 0.9, 0, 0.999999);
        final double beta2 = real("BETA2", 0.95, 0, 0.999999999);
        final double adamEps = real("ADAM_EPS", 1e-8, 0, 1);
        final double weightDecay = real("WEIGHT_DECAY", 0.0, 0, 10);
        final double gradClipNorm = real("GRAD_CLIP_NORM", 1.0, 0, 1e9);
        final int quantBits = (int) integer("QUANT_BITS", 6, 4, 8);
        final int threads = (int) integer("THREADS", Runtime.getRuntime().availableProcessors(), 1, 1024);
        final boolean gradCheck = bool("GRAD_CHECK", false); // finite-difference check of every parameter kind, then exit

        Hyperparameters() {
            if (modelDim % numHeads != 0) fail("MODEL_DIM", modelDim + " is not divisible by NUM_HEADS=" + numHeads);
            if ((modelDim / numHeads) % 2 != 0) fail("NUM_HEADS", "head dim MODEL_DIM/NUM_HEADS=" + (modelDim / numHeads) + " must be even for RoPE");
            if (trainBatchTokens % trainSeqLen != 0)
                fail("TRAIN_BATCH_TOKENS", trainBatchTokens + " is not a multiple of TRAIN_SEQ_LEN=" + trainSeqLen);
            if (evalStride > 0 && trainSeqLen % evalStride != 0)
                fail("EVAL_STRIDE", evalStride + " does not divide TRAIN_SEQ_LEN=" + trainSeqLen + "; accepted: 0 or a divisor of it");
            if (valBatchSize < trainSeqLen) fail("VAL_BATCH_SIZE", valBatchSize + " is smaller than TRAIN_SEQ_LEN=" + trainSeqLen);
            if (bigramVocab == 1) fail("BIGRAM_VOCAB", "1 leaves no bucket for pairs; accepted: 0 (off) or 2 and up");
            if (quantBits == 7) fail("QUANT_BITS", "7 is not supported; accepted: 8, 6, 5 or 4");
        }

        static String str(String name, String dflt) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? dflt : v.trim();
        }
        static long integer(String name, long dflt, long min, long max) {
            String v = str(name, null);
            if (v == null) return dflt;
            long x;
            try { x = Long.parseLong(v); } catch (NumberFormatException e) { throw fail(name, "'" + v + "' is not an integer"); }
            if (x < min || x > max) fail(name, x + " is out of range; accepted: " + min + ".." + max);
            return x;
        }
        static double real(String name, double dflt, double min, double max) {
            String v = str(name, null);
            if (v == null) return dflt;
            double x;
            try { x = Double.parseDouble(v); } catch (NumberFormatException e) { throw fail(name, "'" + v + "' is not a number"); }
            if (!(x >= min && x <= max)) fail(name, v + " is out of range; accepted: " + min + ".." + max);
            return x;
        }
        static boolean bool(String name, boolean dflt) {
            String v = str(name, null);
            if (v == null) return dflt;
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes" -> true;
                case "0", "false", "no" -> false;
                default -> throw fail(name, "'" + v + "' is not a boolean; accepted: 1, 0, true, false");
            };
        }
        static IllegalArgumentException fail(String name, String why) {
            throw new IllegalArgumentException("invalid hyperparameter " + name + ": " + why);
        }
    }

    // ----------------------------------------------------------------------------------------------------
    // Logging: stdout, and logs/<RUN_ID>.txt which starts with this file's source like the baseline's log0.

    static PrintStream logFile;

    static void log0(String msg) {
        System.out.println(msg);
        if (logFile != null) { logFile.println(msg); logFile.flush(); }
    }

    static String f(String fmt, Object... args) { return String.format(Locale.ROOT, fmt, args); }

    // ----------------------------------------------------------------------------------------------------
    // Data: shards of the challenge's format, a 256 x int32 little-endian header (magic, version, count),
    // then uint16 tokens.

    static final int SHARD_MAGIC = 20240520, SHARD_VERSION = 1, HEADER_INTS = 256;

    static char[] loadShard(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < HEADER_INTS * 4) throw new IOException(file + ": shorter than the 1024-byte header");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buf.getInt(0), version = buf.getInt(4), count = buf.getInt(8);
        if (magic != SHARD_MAGIC || version != SHARD_VERSION)
            throw new IOException(file + ": bad header (magic " + magic + ", version " + version + "); expected " + SHARD_MAGIC + ", 1");
        if (bytes.length != HEADER_INTS * 4 + 2L * count)
            throw new IOException(file + ": header says " + count + " tokens but the file holds " + (bytes.length - HEADER_INTS * 4) / 2);
        char[] tokens = new char[count];
        buf.position(HEADER_INTS * 4);
        buf.asCharBuffer().get(tokens);
        return tokens;
    }

    static List<Path> shards(String dir, String prefix) throws IOException {
        List<Path> out = new ArrayList<>();
        Path d = Paths.get(dir);
        if (Files.isDirectory(d))
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, prefix + "*.bin")) { ds.forEach(out::add); }
        if (out.isEmpty()) throw new IllegalArgumentException("no files match " + d.resolve(prefix + "*.bin") + " (DATA_PATH)");
        Collections.sort(out);
        return out;
    }

    /**
     * Draws each training sequence from a random offset in the training shards (seeded). The baseline reads
     * its stream in order, but Europarl lines come in runs of one language, so ordered batches of a few
     * documents each swing the loss by a nat; independent windows make every batch a fair sample.
     */
    static final class TokenSampler {
        final char[] tokens; final Random rng;
        TokenSampler(List<Path> files, long seed) throws IOException {
            StringBuilder all = new StringBuilder();
            for (Path p : files) all.append(loadShard(p));
            tokens = all.toString().toCharArray(); rng = new Random(seed * 31 + 7);
        }
        /** Fills x and y (targets = inputs shifted by one) with B windows of length T. */
        void next(int[] x, int[] y, int B, int T) {
            if (tokens.length <= T + 1) throw new IllegalArgumentException("training shards hold " + tokens.length + " tokens, fewer than TRAIN_SEQ_LEN+1");
            for (int b = 0; b < B; b++) {
                int start = rng.nextInt(tokens.length - T - 1);
                for (int t = 0; t < T; t++) { x[b * T + t] = tokens[start + t]; y[b * T + t] = tokens[start + t + 1]; }
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------
    // Parallel kernels on row arrays (float[rows][cols]). Work is split into fixed contiguous ranges and no
    // two threads add into the same float, so results are bit-identical for a given THREADS. Inner loops
    // are `c[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]` over separate row arrays at the same index:
    // the JIT vectorises that form (flat arrays at different offsets defeat its alias analysis).

    static int nThreads = 1;
    static Thread[] crew = new Thread[0]; // threads 1..nThreads-1; the caller of parallelFor is thread 0

    interface Range { void run(int lo, int hi); }

    // A step makes about a hundred parallel calls of a millisecond or less, so handing work over must cost far less
    // than that: an executor's queue and futures took 13 us a call, a posted task that spinning threads pick up 0.2 us.
    static volatile Range task;
    static volatile int taskSize;
    static volatile long generation; // bumped by the caller when it posts a task
    static final AtomicInteger finished = new AtomicInteger();
    static volatile Throwable failure;

    static void startCrew(int threads) {
        nThreads = threads; crew = new Thread[threads - 1];
        int spinLimit = threads <= Runtime.getRuntime().availableProcessors() ? 20_000 : 0; // more threads than cores: spinning would only take time from the others
        for (int w = 1; w < threads; w++) {
            int part = w;
            Thread t = crew[w - 1] = new Thread(() -> {
                long seen = 0;
                while (true) {
                    // spin a while (a step's serial stretches are short), then sleep until the next post
                    for (int spins = 0; generation == seen; spins++) { if (spins < spinLimit) Thread.onSpinWait(); else LockSupport.park(); }
                    seen = generation;
                    int n = taskSize, parts = Math.min(nThreads, n);
                    try { if (part < parts) task.run((int) ((long) n * part / parts), (int) ((long) n * (part + 1) / parts)); }
                    catch (Throwable e) { failure = e; }
                    finished.incrementAndGet();
                }
            });
            t.setDaemon(true);
            t.start();
        }
    }

    /** body over [0, n) split into nThreads contiguous ranges, the first run by the caller. Not reentrant. */
    static void parallelFor(int n, Range body) {
        int parts = Math.min(nThreads, n);
        if (parts <= 1) { body.run(0, n); return; }
        finished.set(0); task = body; taskSize = n; generation++;
        for (Thread t : crew) LockSupport.unpark(t);
        try { body.run(0, (int) ((long) n / parts)); }
        finally { while (finished.get() < crew.length) Thread.onSpinWait(); }
        if (failure != null) { Throwable e = failure; failure = null; throw new RuntimeException(e); }
    }

    /**
     * c[M][N] (+)= a[M][K] @ b[K][N]. Rows of c go two at a time, so each row of b read from cache serves both
     * (twice the multiply-adds per load); each row's sum is the same expression as one row alone, so the result
     * does not depend on the pairing. Pairs are split across threads.
     */
    static void matmul(float[][] a, float[][] b, float[][] c, boolean accumulate) {
        int K = b.length, N = b[0].length, M = a.length;
        parallelFor((M + 1) / 2, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int i = 2 * p;
                float[] c0 = c[i], a0 = a[i];
                if (i + 1 == M) { // an odd last row goes alone
                    if (!accumulate) Arrays.fill(c0, 0f);
                    int k = 0;
                    for (; k + 4 <= K; k += 4) {
                        float x0 = a0[k], x1 = a0[k + 1], x2 = a0[k + 2], x3 = a0[k + 3];
                        float[] b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
                        for (int j = 0; j < N; j++) c0[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j];
                    }
                    for (; k < K; k++) { float x0 = a0[k]; float[] b0 = b[k]; for (int j = 0; j < N; j++) c0[j] += x0 * b0[j]; }
                    continue;
                }
                float[] c1 = c[i + 1], a1 = a[i + 1];
                if (!accumulate) { Arrays.fill(c0, 0f); Arrays.fill(c1, 0f); }
                int k = 0;
                for (; k + 4 <= K; k += 4) {
                    float x0 = a0[k], x1 = a0[k + 1], x2 = a0[k + 2], x3 = a0[k + 3];
                    float y0 = a1[k], y1 = a1[k + 1], y2 = a1[k + 2], y3 = a1[k + 3];
                    float[] b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
                    for (int j = 0; j < N; j++) {
                        float v0 = b0[j], v1 = b1[j], v2 = b2[j], v3 = b3[j];
                        c0[j] += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3;
                        c1[j] += y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3;
                    }
                }
                for (; k < K; k++) {
                    float x0 = a0[k], y0 = a1[k]; float[] b0 = b[k];
                    for (int j = 0; j < N; j++) { float v0 = b0[j]; c0[j] += x0 * v0; c1[j] += y0 * v0; }
                }
            }
        });
    }

    /**
     * x^T into out. Sixteen rows of x are held at once and read along in step, so each of their
     * columns lands as one 64-byte line of a row of out. Threads split out's rows, so no two write to the same line.
     */
    static float[][] transpose(float[][] x, float[][] out) {
        int R = x.length, C = x[0].length;
        parallelFor(C, (lo, hi) -> {
            int i = 0;
            for (; i + 16 <= R; i += 16) {
                float[] x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3], x4 = x[i + 4], x5 = x[i + 5], x6 = x[i + 6], x7 = x[i + 7];
                float[] x8 = x[i + 8], x9 = x[i + 9], xa = x[i + 10], xb = x[i + 11], xc = x[i + 12], xd = x[i + 13], xe = x[i + 14], xf = x[i + 15];
                for (int j = lo; j < hi; j++) {
                    float[] o = out[j];
                    o[i] = x0[j]; o[i + 1] = x1[j]; o[i + 2] = x2[j]; o[i + 3] = x3[j]; o[i + 4] = x4[j]; o[i + 5] = x5[j]; o[i + 6] = x6[j]; o[i + 7] = x7[j];
                    o[i + 8] = x8[j]; o[i + 9] = x9[j]; o[i + 10] = xa[j]; o[i + 11] = xb[j]; o[i + 12] = xc[j]; o[i + 13] = xd[j]; o[i + 14] = xe[j]; o[i + 15] = xf[j];
                }
            }
            for (; i < R; i++) { float[] xi = x[i]; for (int j = lo; j < hi; j++) out[j][i] = xi[j]; }
        });
        return out;
    }

    /** c[K][N] += a[M][K]^T @ b[M][N] (weight gradients); rows of c go two at a time as in matmul, split across threads. */
    static void matmulTA(float[][] a, float[][] b, float[][] c) {
        int M = a.length, N = b[0].length, K = c.length;
        parallelFor((K + 1) / 2, (lo, hi) -> {
            for (int i0 = 0; i0 < M; i0 += 64) { // a block of b's rows stays in cache across c's rows
                int i1 = Math.min(M, i0 + 64);
                for (int p = lo; p < hi; p++) {
                    int k = 2 * p;
                    boolean pair = k + 1 < K;
                    float[] c0 = c[k], c1 = pair ? c[k + 1] : null;
                    int i = i0;
                    if (pair) {
                        for (; i + 4 <= i1; i += 4) {
                            float x0 = a[i][k], x1 = a[i + 1][k], x2 = a[i + 2][k], x3 = a[i + 3][k];
                            float y0 = a[i][k + 1], y1 = a[i + 1][k + 1], y2 = a[i + 2][k + 1], y3 = a[i + 3][k + 1];
                            float[] b0 = b[i], b1 = b[i + 1], b2 = b[i + 2], b3 = b[i + 3];
                            for (int j = 0; j < N; j++) {
                                float v0 = b0[j], v1 = b1[j], v2 = b2[j], v3 = b3[j];
                                c0[j] += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3;
                                c1[j] += y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3;
                            }
                        }
                        for (; i < i1; i++) {
                            float x0 = a[i][k], y0 = a[i][k + 1]; float[] b0 = b[i];
                            for (int j = 0; j < N; j++) { float v0 = b0[j]; c0[j] += x0 * v0; c1[j] += y0 * v0; }
                        }
                    } else {
                        for (; i + 4 <= i1; i += 4) {
                            float x0 = a[i][k], x1 = a[i + 1][k], x2 = a[i + 2][k], x3 = a[i + 3][k];
                            float[] b0 = b[i], b1 = b[i + 1], b2 = b[i + 2], b3 = b[i + 3];
                            for (int j = 0; j < N; j++) c0[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j];
                        }
                        for (; i < i1; i++) { float x0 = a[i][k]; float[] b0 = b[i]; for (int j = 0; j < N; j++) c0[j] += x0 * b0[j]; }
                    }
                }
            }
        });
    }

    /**
     * Matrices a step needs only for a moment (transposes, weights as rows, gradients on their way to a Param), handed
     * out in call order and all taken back when the next forward pass begins. A step makes the same calls in the same
     * order, so each call gets back the array it had last step, still in cache, instead of a fresh one that the
     * allocator must zero and the cache fetch: writing into fresh arrays made a transpose three times slower.
     */
    static final class Scratch {
        private final List<float[][]> arrays = new ArrayList<>();
        private int next;

        /** A rows x cols matrix whose contents are whatever was left in it. */
        float[][] take(int rows, int cols) {
            if (next == arrays.size()) arrays.add(null);
            float[][] m = arrays.get(next);
            if (m == null || m.length != rows || m[0].length != cols) arrays.set(next, m = new float[rows][cols]);
            next++;
            return m;
        }

        float[][] zeros(int rows, int cols) { float[][] m = take(rows, cols); for (float[] r : m) Arrays.fill(r, 0f); return m; }

        void reset() { next = 0; }
    }

    static final Scratch scratch = new Scratch();

    /** A matrix's flat [rows*cols] weights as row arrays, transposed or not. */
    static float[][] rows(Param p, boolean transposed) {
        float[] w = p.w; int rows = p.rows, cols = p.cols;
        float[][] out = transposed ? scratch.take(cols, rows) : scratch.take(rows, cols);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) { if (transposed) out[c][r] = w[r * cols + c]; else out[r][c] = w[r * cols + c]; }
        return out;
    }

    /**
     * A narrow output (few columns, many rows: a linear layer's output at dim 64) is computed transposed,
     * y^T = W @ x^T, so the loop the JIT vectorises runs over the M rows instead of 64 columns. The products and
     * their order are the same, so the result is too; the transposes cost a copy each.
     */
    static boolean narrow(int rows, int cols) { return cols < 128 && rows >= 8 * cols; }

    /**
     * Linear layers y_i[M][out] = x[M][in] @ W_i^T, W stored [out][in] like PyTorch's nn.Linear. Layers that read
     * the same x (attention's q, k and v) share one transpose of it.
     */
    static void linear(float[][] x, Param[] ws, float[][][] ys) {
        int M = x.length, N = ws[0].rows;
        if (!narrow(M, N)) { for (int i = 0; i < ws.length; i++) matmul(x, rows(ws[i], true), ys[i], false); return; }
        float[][] xT = transpose(x, scratch.take(x[0].length, M)), yT = scratch.take(N, M);
        for (int i = 0; i < ws.length; i++) { matmul(rows(ws[i], false), xT, yT, false); transpose(yT, ys[i]); }
    }

    static void linear(float[][] x, Param w, float[][] y) { linear(x, new Param[] {w}, new float[][][] {y}); }

    /**
     * Backward of linear layers that read the same x: W_i.g += dy_i^T @ x, and dx = sum_i dy_i @ W_i, summed in
     * that order into one transposed dx when it is narrow.
     */
    static void linearBackward(float[][] x, Param[] ws, float[][][] dys, float[][] dx) {
        for (int i = 0; i < ws.length; i++) {
            Param w = ws[i];
            if (w.rows > w.cols) { // computed transposed, W.g^T = x^T @ dy_i, so the vectorised loop runs over the longer side
                float[][] gT = scratch.zeros(w.cols, w.rows);
                matmulTA(x, dys[i], gT);
                for (int c = 0; c < w.cols; c++) for (int r = 0; r < w.rows; r++) w.g[r * w.cols + c] += gT[c][r];
                continue;
            }
            float[][] g = scratch.zeros(w.rows, w.cols);
            matmulTA(dys[i], x, g);
            for (int r = 0; r < w.rows; r++) for (int c = 0; c < w.cols; c++) w.g[r * w.cols + c] += g[r][c];
        }
        int M = x.length, N = ws[0].cols;
        if (!narrow(M, N)) { for (int i = 0; i < ws.length; i++) matmul(dys[i], rows(ws[i], false), dx, i > 0); return; }
        float[][] dxT = scratch.zeros(N, M);
        for (int i = 0; i < ws.length; i++) matmul(rows(ws[i], true), transpose(dys[i], scratch.take(dys[i][0].length, M)), dxT, true);
        transpose(dxT, dx);
    }

    static void linearBackward(float[][] x, Param w, float[][] dy, float[][] dx) {
        linearBackward(x, new Param[] {w}, new float[][][] {dy}, dx);
    }

    static float[][] zeros(int rows, int cols) { return new float[rows][cols]; }

    /**
     * x[j] = e^(x[j] - shift) for j < n, where x[j] - shift <= 0 (shift: the row's max), in float: 2^k from the
     * exponent bits times a degree-6 polynomial for e^r, |r| <= ln2/2; relative error about 2e-7. Two passes, since
     * the JIT vectorises the polynomial but not the exponent bits: one loop doing both ran five times slower.
     */
    static void expRow(float[] x, float shift, int n, int[] k) {
        for (int j = 0; j < n; j++) {
            float y = Math.max(x[j] - shift, -87f); int kj = (int) (y * 1.442695041f - 0.5f); // rounds to nearest for y <= 0
            float r = y - kj * 0.693145752f - kj * 1.42860677e-6f;
            x[j] = 1f + r * (1f + r * (0.5f + r * (0.16666667f + r * (0.041666668f + r * (0.008333334f + r * 0.0013888889f)))));
            k[j] = kj;
        }
        for (int j = 0; j < n; j++) x[j] *= Float.intBitsToFloat((k[j] + 127) << 23);
    }

    /** t[j] = tanh(x[j] / cap) = (1 - e^-2|u|) / (1 + e^-2|u|) with u's sign, from expRow: a few times cheaper than Math.tanh. */
    static void tanhRow(float[] x, float cap, float[] t, int[] k) {
        int n = x.length;
        for (int j = 0; j < n; j++) t[j] = -2f * Math.abs(x[j] / cap);
        expRow(t, 0f, n, k);
        for (int j = 0; j < n; j++) { float e = t[j]; t[j] = Math.copySign((1f - e) / (1f + e), x[j]); }
    }

    /** RMSNorm without a learned gain (as the baseline's F.rms_norm); keeps 1/rms per row for backward. */
    static void rmsnorm(float[][] x, float[][] y, float[] inv) {
        parallelFor(x.length, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float[] xi = x[i], yi = y[i]; double ss = 0;
                for (float v : xi) ss += v * v;
                float r = (float) (1.0 / Math.sqrt(ss / xi.length + 1e-6));
                inv[i] = r;
                for (int j = 0; j < xi.length; j++) yi[j] = xi[j] * r;
            }
        });
    }

    /** dx += backward of rmsnorm given its output y and output gradient dy. */
    static void rmsnormBackward(float[][] y, float[] inv, float[][] dy, float[][] dx) {
        parallelFor(y.length, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float[] yi = y[i], dyi = dy[i], dxi = dx[i]; double dot = 0;
                for (int j = 0; j < yi.length; j++) dot += dyi[j] * yi[j];
                float m = (float) (dot / yi.length), r = inv[i];
                for (int j = 0; j < yi.length; j++) dxi[j] += (dyi[j] - yi[j] * m) * r;
            }
        });
    }

    // ----------------------------------------------------------------------------------------------------
    // Model: tied byte embeddings, pre-norm blocks of causal multi-head attention with RoPE and a squared-ReLU
    // MLP, each scaled per channel before joining the residual stream; final RMSNorm, soft-capped logits.

    /** One trainable tensor with its gradient and Adam state. Matrices are [out][in], as nn.Linear. */
    static final class Param {
        final String name, group; final int rows, cols; final float[] w, g, m, v;
        Param(String name, String group, int rows, int cols) {
            this.name = name; this.group = group; this.rows = rows; this.cols = cols;
            w = new float[rows * cols]; g = new float[w.length]; m = new float[w.length]; v = new float[w.length];
        }
        boolean isMatrix() { return rows > 1; }
    }

    /** One transformer block's parameters and the activations its backward pass needs. */
    static final class Block {
        Param wq, wk, wv, wo, w1, w2, attnScale, mlpScale;
        float[][] n1, q, k, v, ao, po, xMid, n2, h, act, mo, out; float[] inv1, inv2, probs;

        void allocate(int M, int D, int F, int units, int T) {
            if (n1 != null && n1.length == M && probs.length == units * T * T) return;
            n1 = zeros(M, D); inv1 = new float[M]; q = zeros(M, D); k = zeros(M, D); v = zeros(M, D);
            probs = new float[units * T * T]; ao = zeros(M, D); po = zeros(M, D); xMid = zeros(M, D);
            n2 = zeros(M, D); inv2 = new float[M]; h = zeros(M, F); act = zeros(M, F); mo = zeros(M, D); out = zeros(M, D);
        }
    }

    static final class GPT {
        final Hyperparameters hp; final int D, H, hd, F, V;
        final Param tokEmb, lmHead, bigram, bigramProj; final Block[] blocks; final List<Param> params = new ArrayList<>();
        final float[] cos, sin;
        int M, B, T; int[] inputs, targets, buckets; float[][] x0, nf, logits, bigE, bigX; float[] invf; double[] rowLoss; // forward state

        /** randomProjections: a generic point for the gradient check (no zero-initialised or tiny tensors). */
        GPT(Hyperparameters hp, Random rng, boolean randomProjections) {
            this.hp = hp; D = hp.modelDim; H = hp.numHeads; hd = D / H; F = hp.mlpMult * D; V = hp.vocabSize;
            tokEmb = add(new Param("tok_emb.weight", "embed", V, D));
            normal(tokEmb, rng, randomProjections ? 0.5 : hp.tieEmbeddings ? 0.005 : 1.0);
            lmHead = hp.tieEmbeddings ? null : add(new Param("lm_head.weight", "embed", V, D)); // zero init, as the baseline's
            if (lmHead != null && randomProjections) normal(lmHead, rng, 0.2);
            bigram = hp.bigramVocab > 0 ? add(new Param("bigram.weight", "embed", hp.bigramVocab, hp.bigramDim)) : null;
            bigramProj = bigram != null ? add(new Param("bigram.proj.weight", "matrix", D, hp.bigramDim)) : null;
            if (bigram != null) { normal(bigram, rng, randomProjections ? 0.5 : 0.005); normal(bigramProj, rng, randomProjections ? 0.2 : 0.0); }
            blocks = new Block[hp.numLayers];
            for (int l = 0; l < blocks.length; l++) {
                Block b = blocks[l] = new Block(); String p = "blocks." + l + ".";
                b.wq = add(new Param(p + "attn.c_q.weight", "matrix", D, D));
                b.wk = add(new Param(p + "attn.c_k.weight", "matrix", D, D));
                b.wv = add(new Param(p + "attn.c_v.weight", "matrix", D, D));
                b.wo = add(new Param(p + "attn.proj.weight", "matrix", D, D));
                b.w1 = add(new Param(p + "mlp.fc.weight", "matrix", F, D));
                b.w2 = add(new Param(p + "mlp.proj.weight", "matrix", D, F));
                b.attnScale = add(new Param(p + "attn_scale", "scalar", 1, D));
                b.mlpScale = add(new Param(p + "mlp_scale", "scalar", 1, D));
                for (Param m : List.of(b.wq, b.wk, b.wv, b.w1)) normal(m, rng, 1.0 / Math.sqrt(m.cols));
                // Output projections start at zero so every block starts as the identity (baseline's _zero_init).
                for (Param m : List.of(b.wo, b.w2)) normal(m, rng, randomProjections ? 1.0 / Math.sqrt(m.cols) : 0.0);
                Arrays.fill(b.attnScale.w, 1f); Arrays.fill(b.mlpScale.w, 1f);
            }
            int maxT = Math.max(hp.trainSeqLen, 2), half = hd / 2;
            cos = new float[maxT * half]; sin = new float[maxT * half];
            for (int t = 0; t < maxT; t++)
                for (int c = 0; c < half; c++) {
                    double ang = t * Math.pow(hp.ropeBase, -2.0 * c / hd);
                    cos[t * half + c] = (float) Math.cos(ang); sin[t * half + c] = (float) Math.sin(ang);
                }
        }

        Param add(Param p) { params.add(p); return p; }

        static void normal(Param p, Random rng, double std) { for (int i = 0; i < p.w.length; i++) p.w[i] = (float) (rng.nextGaussian() * std); }

        long numParams() { long n = 0; for (Param p : params) n += p.w.length; return n; }

        Param head() { return lmHead != null ? lmHead : tokEmb; }

        /** Forward pass over B sequences of length T; returns the mean cross-entropy in nats. */
        double forward(int[] inputs, int[] targets, int B, int T) {
            if (x0 == null || x0.length != B * T) { M = B * T; x0 = zeros(M, D); nf = zeros(M, D); invf = new float[M]; logits = zeros(M, V); }
            this.B = B; this.T = T; this.inputs = inputs; this.targets = targets;
            scratch.reset();
            for (int i = 0; i < M; i++) System.arraycopy(tokEmb.w, inputs[i] * D, x0[i], 0, D);
            if (bigram != null) bigramForward();
            float[][] x = x0;
            for (Block b : blocks) x = blockForward(b, x);
            rmsnorm(x, nf, invf);
            linear(nf, head(), logits);
            // Soft-cap, then cross-entropy; logits are overwritten with dLoss/dlogits for backward.
            float cap = (float) hp.logitSoftcap;
            double[] rowLoss = this.rowLoss = new double[M];
            parallelFor(M, (lo, hi) -> {
                float[] th = new float[V]; int[] k = new int[V];
                for (int i = lo; i < hi; i++) {
                    float[] z = logits[i]; float max = Float.NEGATIVE_INFINITY;
                    if (cap > 0) { tanhRow(z, cap, th, k); for (int j = 0; j < V; j++) z[j] = cap * th[j]; }
                    for (int j = 0; j < V; j++) max = Math.max(max, z[j]);
                    expRow(z, max, V, k);
                    double sum = 0;
                    for (int j = 0; j < V; j++) sum += z[j];
                    rowLoss[i] = Math.log(sum) - Math.log(z[targets[i]]);
                    float scale = (float) (1.0 / (sum * M));
                    for (int j = 0; j < V; j++) z[j] *= scale;
                    z[targets[i]] -= 1f / M;
                    if (cap > 0) for (int j = 0; j < V; j++) z[j] *= 1f - th[j] * th[j];
                }
            });
            double loss = 0; for (double l : rowLoss) loss += l;
            return loss / M;
        }

        /**
         * Bigram hash embedding (Parameter Golf's BigramHash): each position also looks up a row for the pair
         * (previous byte, byte) hashed into BIGRAM_VOCAB - 1 buckets (the last is for a window's first byte), projected
         * to MODEL_DIM and added to the token embedding. The model sees two bytes of context before any attention
         * has learnt to look back, which is most of what a short run can learn. The projection starts at zero.
         */
        void bigramForward() {
            int BD = bigram.cols, n = bigram.rows - 1;
            if (bigE == null || bigE.length != M) { bigE = zeros(M, BD); bigX = zeros(M, D); buckets = new int[M]; }
            for (int i = 0; i < M; i++) {
                buckets[i] = i % T == 0 ? n : Math.floorMod(36313 * inputs[i] ^ 27191 * inputs[i - 1], n);
                System.arraycopy(bigram.w, buckets[i] * BD, bigE[i], 0, BD);
            }
            linear(bigE, bigramProj, bigX);
            for (int i = 0; i < M; i++) for (int j = 0; j < D; j++) x0[i][j] += bigX[i][j];
        }

        /** out = x + scale * y, per channel: a block's residual join. */
        static void addScaled(float[][] x, float[] scale, float[][] y, float[][] out) {
            parallelFor(x.length, (lo, hi) -> {
                for (int i = lo; i < hi; i++) { float[] xi = x[i], yi = y[i], oi = out[i]; for (int j = 0; j < xi.length; j++) oi[j] = xi[j] + scale[j] * yi[j]; }
            });
        }

        float[][] blockForward(Block b, float[][] x) {
            b.allocate(M, D, F, B * H, T);
            rmsnorm(x, b.n1, b.inv1);
            linear(b.n1, new Param[] {b.wq, b.wk, b.wv}, new float[][][] {b.q, b.k, b.v});
            rope(b.q, false); rope(b.k, false);
            attention(b);
            linear(b.ao, b.wo, b.po);
            float[] as = b.attnScale.w, ms = b.mlpScale.w;
            addScaled(x, as, b.po, b.xMid);
            rmsnorm(b.xMid, b.n2, b.inv2);
            linear(b.n2, b.w1, b.h);
            parallelFor(M, (lo, hi) -> { for (int i = lo; i < hi; i++) { float[] hr = b.h[i], ai = b.act[i]; for (int j = 0; j < F; j++) { float r = Math.max(hr[j], 0f); ai[j] = r * r; } } });
            linear(b.act, b.w2, b.mo);
            addScaled(b.xMid, ms, b.mo, b.out);
            return b.out;
        }

        /** Rotary position embedding on each head's channel pairs (c, c + hd/2); inverse rotation for grads. */
        void rope(float[][] a, boolean inverse) {
            int half = hd / 2; float s = inverse ? -1f : 1f;
            parallelFor(M, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    int t = i % T; float[] ai = a[i];
                    for (int h = 0; h < H; h++) {
                        int o = h * hd;
                        for (int c = 0; c < half; c++) {
                            float cs = cos[t * half + c], sn = s * sin[t * half + c], x1 = ai[o + c], x2 = ai[o + c + half];
                            ai[o + c] = x1 * cs - x2 * sn; ai[o + c + half] = x2 * cs + x1 * sn;
                        }
                    }
                }
            });
        }

        /**
         * Causal softmax attention per (sequence, head); keeps the probabilities for backward. Scores and outputs are
         * built as sums of scaled rows (k transposed, so a query's scores against every earlier key are one
         * multiply-add per channel over a contiguous row) rather than as dot products, which the JIT cannot vectorise.
         */
        void attention(Block b) {
            float scale = (float) (1.0 / Math.sqrt(hd));
            parallelFor(B * H, (lo, hi) -> {
                float[][] qh = new float[T][hd], kT = new float[hd][T], vh = new float[T][hd], pT = new float[T][T], oT = new float[hd][T];
                float[] sc = new float[T]; int[] kx = new int[T];
                for (int u = lo; u < hi; u++) {
                    int seq = u / H, h = u % H, base = seq * T, pOff = u * T * T;
                    for (int s = 0; s < T; s++) {
                        float[] qs = b.q[base + s], ks = b.k[base + s];
                        for (int c = 0; c < hd; c++) { qh[s][c] = qs[h * hd + c] * scale; kT[c][s] = ks[h * hd + c]; }
                        System.arraycopy(b.v[base + s], h * hd, vh[s], 0, hd);
                    }
                    for (int t = 0; t < T; t++) {
                        int n = t + 1; float[] qt = qh[t];
                        Arrays.fill(sc, 0, n, 0f);
                        for (int c = 0; c < hd; c += 4) accumulate(sc, 0, n, kT, c, qt[c], c + 1 < hd ? qt[c + 1] : 0f, c + 2 < hd ? qt[c + 2] : 0f, c + 3 < hd ? qt[c + 3] : 0f);
                        float max = Float.NEGATIVE_INFINITY;
                        for (int s = 0; s < n; s++) max = Math.max(max, sc[s]);
                        float sum = 0;
                        expRow(sc, max, n, kx);
                        for (int s = 0; s < n; s++) sum += sc[s];
                        float invSum = 1f / sum;
                        for (int s = 0; s < n; s++) { float p = sc[s] * invSum; sc[s] = p; pT[s][t] = p; }
                        System.arraycopy(sc, 0, b.probs, pOff + t * T, n);
                    }
                    // o[t] = sum over s <= t of p[t][s] v[s], built transposed: each key's value row scales a run of
                    // queries, a loop over up to T of them rather than over hd channels. pT[s][t] is zero for t < s.
                    for (float[] r : oT) Arrays.fill(r, 0f);
                    for (int s = 0; s < T; s += 4)
                        for (int c = 0; c < hd; c++)
                            accumulate(oT[c], s, T, pT, s, vh[s][c], s + 1 < T ? vh[s + 1][c] : 0f, s + 2 < T ? vh[s + 2][c] : 0f, s + 3 < T ? vh[s + 3][c] : 0f);
                    for (int t = 0; t < T; t++) { float[] at = b.ao[base + t]; for (int c = 0; c < hd; c++) at[h * hd + c] = oT[c][t]; }
                }
            });
        }

        /**
         * y[lo..hi) += w0 x[r] + w1 x[r+1] + w2 x[r+2] + w3 x[r+3]: attention's small products, four rows a pass so each
         * store carries four multiply-adds. Where r+1.. run past x's last row, their weights must be zero (the last row is read).
         */
        static void accumulate(float[] y, int lo, int hi, float[][] x, int r, float w0, float w1, float w2, float w3) {
            int n = x.length;
            float[] x0 = x[r], x1 = x[Math.min(r + 1, n - 1)], x2 = x[Math.min(r + 2, n - 1)], x3 = x[Math.min(r + 3, n - 1)];
            for (int j = lo; j < hi; j++) y[j] += w0 * x0[j] + w1 * x1[j] + w2 * x2[j] + w3 * x3[j];
        }

        /** Backward from the gradient left in logits by forward; accumulates into every Param.g. */
        void backward() {
            float[][] dnf = scratch.take(M, D), dx = scratch.zeros(M, D);
            linearBackward(nf, head(), logits, dnf);
            rmsnormBackward(nf, invf, dnf, dx);
            for (int l = blocks.length - 1; l >= 0; l--) dx = blockBackward(blocks[l], dx);
            for (int i = 0; i < M; i++) {
                int e = inputs[i] * D;
                for (int j = 0; j < D; j++) tokEmb.g[e + j] += dx[i][j];
            }
            if (bigram == null) return;
            int BD = bigram.cols; float[][] dE = scratch.take(M, BD);
            linearBackward(bigE, bigramProj, dx, dE);
            for (int i = 0; i < M; i++) { int e = buckets[i] * BD; for (int j = 0; j < BD; j++) bigram.g[e + j] += dE[i][j]; }
        }

        /** Returns dLoss/dx for the block's input; dout is reused as that gradient's storage. */
        float[][] blockBackward(Block b, float[][] dout) {
            // out = xMid + mlpScale * mo
            float[][] dmo = scratch.take(M, D);
            scaleBackward(dout, b.mlpScale, b.mo, dmo);
            float[][] dh = scratch.take(M, F);
            linearBackward(b.act, b.w2, dmo, dh);
            parallelFor(M, (lo, hi) -> { for (int i = lo; i < hi; i++) { float[] hr = b.h[i], di = dh[i]; for (int j = 0; j < F; j++) di[j] *= 2f * Math.max(hr[j], 0f); } });
            float[][] dn2 = dmo; // dmo is no longer needed
            linearBackward(b.n2, b.w1, dh, dn2);
            float[][] dxm = dout;
            rmsnormBackward(b.n2, b.inv2, dn2, dxm);
            // xMid = x + attnScale * po
            float[][] dpo = dn2;
            scaleBackward(dxm, b.attnScale, b.po, dpo);
            float[][] dao = scratch.take(M, D);
            linearBackward(b.ao, b.wo, dpo, dao);
            float[][] dq = scratch.take(M, D), dk = scratch.take(M, D), dv = scratch.take(M, D);
            attentionBackward(b, dao, dq, dk, dv);
            rope(dq, true); rope(dk, true);
            float[][] dn1 = dao;
            linearBackward(b.n1, new Param[] {b.wq, b.wk, b.wv}, new float[][][] {dq, dk, dv}, dn1);
            rmsnormBackward(b.n1, b.inv1, dn1, dxm);
            return dxm;
        }

        /**
         * Backward of a per-channel scale, out = x + scale * y: dy = dout * scale, row-parallel; scale.g += the column
         * sums of dout * y, row after row on one thread, so the sum does not depend on the number of threads.
         */
        static void scaleBackward(float[][] dout, Param scale, float[][] y, float[][] dy) {
            float[] s = scale.w, g = scale.g;
            parallelFor(dout.length, (lo, hi) -> {
                for (int i = lo; i < hi; i++) { float[] di = dout[i], oi = dy[i]; for (int j = 0; j < di.length; j++) oi[j] = di[j] * s[j]; }
            });
            for (int i = 0; i < dout.length; i++) { float[] di = dout[i], yi = y[i]; for (int j = 0; j < di.length; j++) g[j] += di[j] * yi[j]; }
        }

        /** Backward of attention, in the same row form as forward: gradients of keys and values kept transposed. */
        void attentionBackward(Block b, float[][] dao, float[][] dq, float[][] dk, float[][] dv) {
            float scale = (float) (1.0 / Math.sqrt(hd));
            parallelFor(B * H, (lo, hi) -> {
                float[] dp = new float[T];
                float[][] vT = new float[hd][T], kh = new float[T][hd], qh = new float[T][hd], gh = new float[T][hd], P = new float[T][T], dS = new float[T][T], dsT = new float[T][T];
                float[][] dqT = new float[hd][T], dkT = new float[hd][T], dvT = new float[hd][T];
                for (int u = lo; u < hi; u++) {
                    int seq = u / H, h = u % H, base = seq * T, pOff = u * T * T;
                    for (int s = 0; s < T; s++) {
                        float[] vs = b.v[base + s];
                        for (int c = 0; c < hd; c++) vT[c][s] = vs[h * hd + c];
                        System.arraycopy(b.k[base + s], h * hd, kh[s], 0, hd);
                        System.arraycopy(b.q[base + s], h * hd, qh[s], 0, hd);
                        System.arraycopy(dao[base + s], h * hd, gh[s], 0, hd);
                        System.arraycopy(b.probs, pOff + s * T, P[s], 0, s + 1); // P[t][s] stays zero for s > t
                    }
                    // ds[t][s] = p[t][s] (dp[t][s] - sum_s' p dp) / sqrt(hd), dp[t][s] = g[t] . v[s]
                    for (int t = 0; t < T; t++) {
                        int n = t + 1; float[] g = gh[t], p = P[t], ds = dS[t];
                        Arrays.fill(dp, 0, n, 0f);
                        for (int c = 0; c < hd; c += 4) accumulate(dp, 0, n, vT, c, g[c], c + 1 < hd ? g[c + 1] : 0f, c + 2 < hd ? g[c + 2] : 0f, c + 3 < hd ? g[c + 3] : 0f);
                        float dot = 0;
                        for (int s = 0; s < n; s++) dot += dp[s] * p[s];
                        for (int s = 0; s < n; s++) { ds[s] = p[s] * (dp[s] - dot) * scale; dsT[s][t] = ds[s]; }
                    }
                    // dv[s] = sum over t >= s of p[t][s] g[t] and dk[s] = sum over t >= s of ds[t][s] q[t], both transposed:
                    // four queries a pass over the keys up to the last of them (P and dS are zero past each row's query).
                    for (int c = 0; c < hd; c++) { Arrays.fill(dkT[c], 0f); Arrays.fill(dvT[c], 0f); Arrays.fill(dqT[c], 0f); }
                    for (int t = 0; t < T; t += 4) {
                        int n = Math.min(T, t + 4);
                        for (int c = 0; c < hd; c++) {
                            accumulate(dvT[c], 0, n, P, t, gh[t][c], t + 1 < T ? gh[t + 1][c] : 0f, t + 2 < T ? gh[t + 2][c] : 0f, t + 3 < T ? gh[t + 3][c] : 0f);
                            accumulate(dkT[c], 0, n, dS, t, qh[t][c], t + 1 < T ? qh[t + 1][c] : 0f, t + 2 < T ? qh[t + 2][c] : 0f, t + 3 < T ? qh[t + 3][c] : 0f);
                        }
                    }
                    // dq[t] = sum over s <= t of ds[t][s] k[s], transposed as o is in forward (dsT[s][t] is zero for t < s)
                    for (int s = 0; s < T; s += 4)
                        for (int c = 0; c < hd; c++)
                            accumulate(dqT[c], s, T, dsT, s, kh[s][c], s + 1 < T ? kh[s + 1][c] : 0f, s + 2 < T ? kh[s + 2][c] : 0f, s + 3 < T ? kh[s + 3][c] : 0f);
                    for (int s = 0; s < T; s++) {
                        float[] dqs = dq[base + s], dks = dk[base + s], dvs = dv[base + s];
                        for (int c = 0; c < hd; c++) { dqs[h * hd + c] = dqT[c][s]; dks[h * hd + c] = dkT[c][s]; dvs[h * hd + c] = dvT[c][s]; }
                    }
                }
            });
        }
    }

    // ----------------------------------------------------------------------------------------------------
    // Optimizer: AdamW with decoupled weight decay on matrices, one learning rate per parameter group.

    static final class AdamW {
        final Hyperparameters hp; final List<Param> params; int t = 0;
        AdamW(Hyperparameters hp, List<Param> params) { this.hp = hp; this.params = params; }

        double lr(Param p) {
            return switch (p.group) { case "embed" -> hp.embedLr; case "matrix" -> hp.matrixLr; default -> hp.scalarLr; };
        }

        void step(double lrMul) {
            t++;
            double b1 = hp.beta1, b2 = hp.beta2, bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
            for (Param p : params) {
                double lr = lr(p) * lrMul;
                float decay = p.group.equals("matrix") ? (float) (1 - lr * hp.weightDecay) : 1f;
                float stepSize = (float) (lr / bc1), sqrtBc2 = (float) Math.sqrt(bc2), eps = (float) hp.adamEps;
                float fb1 = (float) b1, fb2 = (float) b2;
                for (int i = 0; i < p.w.length; i++) {
                    float g = p.g[i];
                    p.m[i] = fb1 * p.m[i] + (1 - fb1) * g;
                    p.v[i] = fb2 * p.v[i] + (1 - fb2) * g * g;
                    p.w[i] = p.w[i] * decay - stepSize * p.m[i] / ((float) Math.sqrt(p.v[i]) / sqrtBc2 + eps);
                }
            }
        }
    }

    static double clipGradients(List<Param> params, double maxNorm) {
        double ss = 0;
        for (Param p : params) for (float g : p.g) ss += (double) g * g;
        double norm = Math.sqrt(ss);
        if (maxNorm > 0 && norm > maxNorm) {
            float s = (float) (maxNorm / (norm + 1e-6));
            for (Param p : params) for (int i = 0; i < p.g.length; i++) p.g[i] *= s;
        }
        return norm;
    }

    /** Learning-rate multiplier: linear warmup, then the baseline's wall-clock-aware linear warmdown. */
    static double lrMul(Hyperparameters hp, int step, double elapsedMs) {
        double warm = hp.warmupSteps > 0 ? Math.min(1.0, (step + 1.0) / hp.warmupSteps) : 1.0;
        if (hp.warmdownIters <= 0) return warm;
        if (hp.maxWallclockSeconds <= 0) {
            int start = Math.max(hp.iterations - hp.warmdownIters, 0);
            return warm * (step >= start && step < hp.iterations ? Math.max((hp.iterations - step) / (double) hp.warmdownIters, 0.0) : 1.0);
        }
        double stepMs = elapsedMs / Math.max(step, 1), warmdownMs = hp.warmdownIters * stepMs;
        double remainingMs = Math.max(hp.maxWallclockSeconds * 1000 - elapsedMs, 0);
        double byTime = remainingMs <= warmdownMs ? remainingMs / Math.max(warmdownMs, 1e-9) : 1.0;
        int start = Math.max(hp.iterations - hp.warmdownIters, 0); // also warm down before ITERATIONS runs out
        double bySteps = step >= start ? Math.max((hp.iterations - step) / (double) hp.warmdownIters, 0.0) : 1.0;
        return warm * Math.min(byTime, bySteps);
    }

    // ----------------------------------------------------------------------------------------------------
    // Evaluation: mean cross-entropy over the validation split's first nSeq * TRAIN_SEQ_LEN tokens. Tokens are
    // bytes, so bits per byte is exactly val_loss / ln 2. Windows step by EVAL_STRIDE (Parameter Golf's
    // sliding-window eval): each scores only its last EVAL_STRIDE tokens, which all see at least
    // TRAIN_SEQ_LEN - EVAL_STRIDE bytes of context, for TRAIN_SEQ_LEN / EVAL_STRIDE times the compute.

    static double[] evalVal(GPT model, char[] val, Hyperparameters hp) {
        int T = hp.trainSeqLen, S = hp.evalStride > 0 ? hp.evalStride : T, nSeq = (val.length - 1) / T, perBatch = Math.max(1, hp.valBatchSize / T);
        if (nSeq == 0) throw new IllegalArgumentException("validation split has " + val.length + " tokens, fewer than TRAIN_SEQ_LEN+1");
        int nWin = (nSeq * T - T) / S + 1; // window w covers w*S .. w*S+T-1; the first scores all of its tokens
        double total = 0;
        for (int w0 = 0; w0 < nWin; w0 += perBatch) {
            int B = Math.min(perBatch, nWin - w0);
            int[] x = new int[B * T], y = new int[B * T];
            for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) { int pos = (w0 + b) * S + t; x[b * T + t] = val[pos]; y[b * T + t] = val[pos + 1]; }
            double mean = model.forward(x, y, B, T);
            if (S == T) { total += mean * B * T; continue; }
            for (int b = 0; b < B; b++) for (int t = w0 + b == 0 ? 0 : T - S; t < T; t++) total += model.rowLoss[b * T + t];
        }
        double loss = total / ((double) nSeq * T);
        return new double[]{loss, loss / Math.log(2)};
    }

    // ----------------------------------------------------------------------------------------------------
    // Export: per-row symmetric quantization of every matrix with a per-row clip that minimises the
    // reconstruction error, fp16 row scales, vectors kept in fp16, zlib level 9. The roundtrip is the score.

    static final float[] CLIP_FRACTIONS = {1.0f, 0.99f, 0.97f, 0.95f, 0.92f, 0.9f, 0.87f, 0.85f, 0.82f, 0.8f, 0.75f, 0.7f, 0.65f, 0.6f};

    /** Quantizes one [out][in] matrix row by row (one row = one output unit's weights). */
    static double quantizeMatrix(Param p, int bits, DataOutputStream out) throws IOException {
        int qmax = (1 << (bits - 1)) - 1, rows = p.rows, cols = p.cols;
        float[] w = p.w; byte[] q = new byte[w.length]; short[] scales = new short[rows];
        for (int r = 0; r < rows; r++) {
            int o = r * cols; float amax = 0;
            for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(w[o + c]));
            float bestScale = 0; double bestErr = Double.MAX_VALUE;
            for (float frac : CLIP_FRACTIONS) {
                float scale = Float.float16ToFloat(Float.floatToFloat16(Math.max(amax * frac / qmax, 1e-8f)));
                double err = 0;
                for (int c = 0; c < cols; c++) {
                    float d = Math.max(-qmax, Math.min(qmax, Math.round(w[o + c] / scale))) * scale - w[o + c];
                    err += d * d;
                }
                if (err < bestErr) { bestErr = err; bestScale = scale; }
            }
            scales[r] = Float.floatToFloat16(bestScale);
            for (int c = 0; c < cols; c++) q[o + c] = (byte) Math.max(-qmax, Math.min(qmax, Math.round(w[o + c] / bestScale)));
        }
        for (short s : scales) out.writeShort(s);
        out.write(q);
        double err = 0;
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) { double d = q[r * cols + c] * Float.float16ToFloat(scales[r]) - w[r * cols + c]; err += d * d; }
        return err;
    }

    /** Returns the compressed artifact; quantMse[0] receives the mean squared error of the quantized matrices. */
    static byte[] exportModel(GPT model, int bits, double[] quantMse) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        double sq = 0; long count = 0;
        try (DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt(0x54475054); out.writeInt(bits); out.writeInt(model.params.size());
            for (Param p : model.params) {
                out.writeUTF(p.name); out.writeInt(p.rows); out.writeInt(p.cols);
                out.writeBoolean(p.isMatrix());
                if (p.isMatrix()) { sq += quantizeMatrix(p, bits, out); count += p.w.length; }
                else for (float x : p.w) out.writeShort(Float.floatToFloat16(x));
            }
        }
        quantMse[0] = sq / Math.max(count, 1);
        Deflater deflater = new Deflater(9);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(compressed, deflater)) { z.write(raw.toByteArray()); }
        deflater.end();
        return compressed.toByteArray();
    }

    /** Loads an exported artifact into the model's tensors, dequantizing every matrix. */
    static void importModel(GPT model, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new InflaterInputStream(Files.newInputStream(file))))) {
            if (in.readInt() != 0x54475054) throw new IOException(file + ": not a Tiny Golf artifact");
            int bits = in.readInt(), n = in.readInt();
            if (n != model.params.size()) throw new IOException(file + ": holds " + n + " tensors, the model has " + model.params.size());
            for (Param p : model.params) {
                String name = in.readUTF(); int rows = in.readInt(), cols = in.readInt(); boolean matrix = in.readBoolean();
                if (!name.equals(p.name) || rows != p.rows || cols != p.cols) throw new IOException(file + ": tensor " + name + " does not match " + p.name);
                if (matrix) {
                    float[] scales = new float[rows];
                    for (int r = 0; r < rows; r++) scales[r] = Float.float16ToFloat(in.readShort());
                    byte[] q = new byte[rows * cols]; in.readFully(q);
                    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) p.w[r * cols + c] = q[r * cols + c] * scales[r];
                } else for (int i = 0; i < p.w.length; i++) p.w[i] = Float.float16ToFloat(in.readShort());
            }
            if (bits < 4) throw new IOException(file + ": bad bit width " + bits);
        }
    }

    // ----------------------------------------------------------------------------------------------------
    // Gradient check: compares backprop with central finite differences on a few entries of every tensor.

    static int gradCheck(Hyperparameters hp, char[] tokens) {
        Random rng = new Random(hp.seed);
        GPT model = new GPT(hp, rng, true);
        int B = 2, T = Math.min(hp.trainSeqLen, 16), M = B * T; int[] x = new int[M], y = new int[M];
        for (int i = 0; i < M; i++) { x[i] = tokens[i]; y[i] = tokens[i + 1]; }
        model.forward(x, y, B, T); model.backward();
        int failures = 0;
        for (Param p : model.params) {
            Integer[] idx = new Integer[p.w.length];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(p.g[b]), Math.abs(p.g[a]))); // largest gradients
            double worst = 0;
            for (int n = 0; n < Math.min(4, idx.length); n++) {
                int i = idx[n]; float keep = p.w[i], eps = 2e-3f * Math.max(1f, Math.abs(keep));
                p.w[i] = keep + eps; double up = model.forward(x, y, B, T);
                p.w[i] = keep - eps; double down = model.forward(x, y, B, T);
                p.w[i] = keep;
                double fd = (up - down) / (2 * eps), an = p.g[i];
                worst = Math.max(worst, Math.abs(fd - an) / Math.max(1e-3, Math.abs(fd) + Math.abs(an)));
            }
            boolean ok = worst < 0.01;
            if (!ok) failures++;
            log0(f("grad_check %s max_rel_err:%.5f %s", p.name, worst, ok ? "ok" : "FAIL"));
        }
        log0(f("grad_check tensors:%d failures:%d", model.params.size(), failures));
        return failures;
    }

    // ----------------------------------------------------------------------------------------------------
    // Training

    public static void main(String[] args) throws Exception {
        Hyperparameters hp;
        try { hp = new Hyperparameters(); }
        catch (IllegalArgumentException e) { System.err.println(e.getMessage()); System.exit(2); return; }
        startCrew(hp.threads);
        try { run(hp); }
        catch (IllegalArgumentException | IOException e) { System.err.println("error: " + e.getMessage()); System.exit(1); }
    }

    static void run(Hyperparameters hp) throws IOException {
        Path script = Paths.get("train.java");
        String code = Files.exists(script) ? Files.readString(script) : "";
        Files.createDirectories(Paths.get("logs"));
        logFile = new PrintStream(new FileOutputStream("logs/" + hp.runId + ".txt", true), true, StandardCharsets.UTF_8);
        logFile.println(code);
        logFile.println("=".repeat(100));
        log0("Running Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        log0(f("threads:%d available_processors:%d", hp.threads, Runtime.getRuntime().availableProcessors()));
        log0("=".repeat(100));

        List<Path> trainFiles = shards(hp.dataPath, "tinygolf_train_"), valFiles = shards(hp.dataPath, "tinygolf_val_");
        StringBuilder sb = new StringBuilder();
        for (Path p : valFiles) sb.append(loadShard(p));
        char[] val = sb.toString().toCharArray();
        if (hp.valMaxTokens > 0 && val.length > hp.valMaxTokens) val = Arrays.copyOf(val, hp.valMaxTokens);
        log0(f("train_loader:dataset:tinygolf train_shards:%d", trainFiles.size()));
        log0(f("val_loader:shards pattern=%s tokens:%d", Paths.get(hp.dataPath).resolve("tinygolf_val_*.bin"), val.length));
        if (hp.gradCheck) { if (gradCheck(hp, val) > 0) System.exit(3); return; }

        Random rng = new Random(hp.seed);
        GPT model = new GPT(hp, rng, false);
        AdamW opt = new AdamW(hp, model.params);
        log0(f("model_params:%d", model.numParams()));
        log0(f("num_layers:%d model_dim:%d num_heads:%d mlp_mult:%d tie_embeddings:%s logit_softcap:%.1f",
                hp.numLayers, hp.modelDim, hp.numHeads, hp.mlpMult, hp.tieEmbeddings, hp.logitSoftcap));
        if (hp.bigramVocab > 0) log0(f("bigram_vocab:%d bigram_dim:%d", hp.bigramVocab, hp.bigramDim));
        if (hp.evalStride > 0 && hp.evalStride < hp.trainSeqLen) log0(f("eval_stride:%d", hp.evalStride));
        log0(f("train_batch_tokens:%d train_seq_len:%d iterations:%d warmup_steps:%d max_wallclock_seconds:%.3f",
                hp.trainBatchTokens, hp.trainSeqLen, hp.iterations, hp.warmupSteps, hp.maxWallclockSeconds));
        log0(f("embed_lr:%g matrix_lr:%g scalar_lr:%g weight_decay:%g quant_bits:%d", hp.embedLr, hp.matrixLr, hp.scalarLr, hp.weightDecay, hp.quantBits));
        log0(f("seed:%d", hp.seed));

        TokenSampler sampler = new TokenSampler(trainFiles, hp.seed);
        int T = hp.trainSeqLen, B = hp.trainBatchTokens / T, M = B * T;
        int[] x = new int[M], y = new int[M];
        double maxMs = hp.maxWallclockSeconds > 0 ? hp.maxWallclockSeconds * 1000 : Double.POSITIVE_INFINITY;
        double trainMs = 0; long t0 = System.nanoTime();
        Integer stopAfterStep = null;
        for (int step = 0; ; step++) {
            boolean lastStep = step == hp.iterations || (stopAfterStep != null && step >= stopAfterStep);
            if (lastStep ? hp.valLossEvery > 0 : hp.valLossEvery > 0 && step % hp.valLossEvery == 0) {
                trainMs += (System.nanoTime() - t0) / 1e6; // the timer pauses during validation, as in the baseline
                double[] vl = evalVal(model, val, hp);
                log0(f("step:%d/%d val_loss:%.4f val_bpb:%.4f train_time:%.0fms step_avg:%.2fms", step, hp.iterations, vl[0], vl[1], trainMs, trainMs / Math.max(step, 1)));
                t0 = System.nanoTime();
            }
            if (lastStep) {
                if (stopAfterStep != null && step < hp.iterations)
                    log0(f("stopping_early: wallclock_cap train_time:%.0fms step:%d/%d", trainMs, step, hp.iterations));
                break;
            }
            double elapsed = trainMs + (System.nanoTime() - t0) / 1e6;
            double mul = lrMul(hp, step, elapsed);
            sampler.next(x, y, B, T);
            for (Param p : model.params) Arrays.fill(p.g, 0f);
            double loss = model.forward(x, y, B, T);
            model.backward();
            clipGradients(model.params, hp.gradClipNorm);
            opt.step(mul);
            double approxMs = trainMs + (System.nanoTime() - t0) / 1e6;
            int done = step + 1;
            if (!Double.isFinite(loss)) {
                log0(f("step:%d/%d train_loss:nan train_time:%.0fms step_avg:%.2fms", done, hp.iterations, approxMs, approxMs / done));
                log0("error: training diverged at step " + done + " (train_loss is not finite)");
                System.exit(4);
            }
            if (done <= 10 || done % hp.trainLogEvery == 0 || (stopAfterStep != null && done >= stopAfterStep))
                log0(f("step:%d/%d train_loss:%.4f train_time:%.0fms step_avg:%.2fms", done, hp.iterations, loss, approxMs, approxMs / done));
            if (stopAfterStep == null && approxMs >= maxMs) stopAfterStep = done;
            if (stopAfterStep != null && done >= stopAfterStep) { trainMs = approxMs; t0 = System.nanoTime(); }
        }

        long peakUsed = 0, committed = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == java.lang.management.MemoryType.HEAP) { peakUsed += pool.getPeakUsage().getUsed(); committed += pool.getPeakUsage().getCommitted(); }
        log0(f("peak memory allocated: %d MiB reserved: %d MiB", peakUsed >> 20, committed >> 20));

        // Serialize, compress, write; then score the file read back, not the in-memory weights.
        double[] quantMse = new double[1];
        byte[] artifact = exportModel(model, hp.quantBits, quantMse);
        Path modelFile = Paths.get("final_model.int" + hp.quantBits + ".ptz");
        Files.write(modelFile, artifact);
        long codeBytes = code.getBytes(StandardCharsets.UTF_8).length;
        log0(f("quantization int%d: matrices mse:%.6e", hp.quantBits, quantMse[0]));
        log0(f("Serialized model int%d+zlib: %d bytes", hp.quantBits, Files.size(modelFile)));
        log0(f("Code size: %d bytes", codeBytes));
        log0(f("Total submission size int%d+zlib: %d bytes", hp.quantBits, Files.size(modelFile) + codeBytes));

        GPT roundtrip = new GPT(hp, new Random(0), false);
        importModel(roundtrip, modelFile);
        long e0 = System.nanoTime();
        double[] q = evalVal(roundtrip, val, hp);
        double evalMs = (System.nanoTime() - e0) / 1e6;
        log0(f("final_int%d_zlib_roundtrip val_loss:%.4f val_bpb:%.4f eval_time:%.0fms", hp.quantBits, q[0], q[1], evalMs));
        log0(f("final_int%d_zlib_roundtrip_exact val_loss:%.8f val_bpb:%.8f", hp.quantBits, q[0], q[1]));
    }
}
