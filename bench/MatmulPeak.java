// The fastest fp32 matrix multiply plain Java reaches on this machine, for bench/tinygolf-throughput:
// the same row-array, four-products-per-store kernel train.java uses, on square 512x512 matrices, on
// THREADS threads. It is the ceiling for any JDK-only trainer (the Vector API needs --add-modules).
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class MatmulPeak {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2, n = 512;
        float[][] a = new float[n][n], b = new float[n][n], c = new float[n][n];
        Random r = new Random(1);
        for (float[] row : a) for (int j = 0; j < n; j++) row[j] = (float) r.nextGaussian();
        for (float[] row : b) for (int j = 0; j < n; j++) row[j] = (float) r.nextGaussian();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        double best = 0;
        for (int rep = 0; rep < 30; rep++) {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int p = 0; p < threads; p++) {
                int lo = n * p / threads, hi = n * (p + 1) / threads;
                fs.add(pool.submit(() -> {
                    for (int i = lo; i < hi; i++) {
                        float[] ci = c[i], ai = a[i];
                        java.util.Arrays.fill(ci, 0f);
                        for (int k = 0; k < n; k += 4) {
                            float a0 = ai[k], a1 = ai[k + 1], a2 = ai[k + 2], a3 = ai[k + 3];
                            float[] b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
                            for (int j = 0; j < n; j++) ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                        }
                    }
                }));
            }
            for (Future<?> f : fs) f.get();
            best = Math.max(best, 2.0 * n * n * n / (System.nanoTime() - t0));
        }
        pool.shutdown();
        System.out.printf(java.util.Locale.ROOT, "java_matmul_peak_gflops %.1f%n", best);
    }
}
