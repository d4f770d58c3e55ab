// Caddie's side of bench/search-surrogate: the built-in search (SearchProposer, its size fit and repeat check)
// with the micro tier and checkpoint halving, run against a surrogate of Tiny Golf (bench/search_surrogate.py
// fit) instead of train.java, for many seeds in seconds. Each proposal costs a micro run; one the surrogate's
// size model puts over the limit fails there, as the micro tier would stop it. The rest run "full": at each
// checkpoint the real CheckpointHalving gate reads a train_loss line, whose value is the configuration's
// surrogate val_bpb plus that checkpoint's recorded error, and stops the run as it would a live one; a run that
// goes on scores its surrogate val_bpb plus the fitted run-to-run noise. Prints one JSON line per seed: the
// compute spent (s) and the best score so far after each full-budget result.
//   SurrogateSearch WS SURROGATE.json BUDGET_S SEEDS [ETA] [CHECKPOINTS|none]
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.gate.CheckpointHalving;
import dev.caddie.run.LiveProgress;
import dev.caddie.search.ProposalContext;
import dev.caddie.search.SearchProposer;
import dev.caddie.search.Trial;
import dev.caddie.task.SearchParam;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

public class SurrogateSearch {
    /** A fitted Gaussian process: prediction = mean + sum_i alpha_i k(x, x_i). */
    record Gp(double[][] x, double[] alpha, double[] ls, double sf, double mean, double noise) {
        static Gp of(JsonNode n) {
            double[][] x = new double[n.get("x").size()][];
            for (int i = 0; i < x.length; i++) x[i] = doubles(n.get("x").get(i));
            return new Gp(x, doubles(n.get("alpha")), doubles(n.get("ls")), n.get("sf").asDouble(), n.get("mean").asDouble(), n.get("noise").asDouble());
        }

        double predict(double[] f) {
            double s = mean;
            for (int i = 0; i < x.length; i++) {
                double q = 0;
                for (int j = 0; j < f.length; j++) {
                    double z = (x[i][j] - f[j]) / ls[j];
                    q += z * z;
                }
                s += sf * sf * Math.exp(-0.5 * q) * alpha[i];
            }
            return s;
        }
    }

    public static void main(String[] args) throws Exception {
        TaskSpec task = TaskSpecReader.read(Path.of(args[0]));
        JsonNode s = new ObjectMapper().readTree(Path.of(args[1]).toFile());
        double budget = Double.parseDouble(args[2]);
        int seeds = Integer.parseInt(args[3]);
        double eta = args.length > 4 ? Double.parseDouble(args[4]) : 2;
        String spec = args.length > 5 ? args[5] : "0.3,0.6";
        List<Double> checkpoints;
        try { // the gate's own checks, once, before any seed: a bad spec is a message, not a stack trace
            checkpoints = spec.equals("none") ? List.of() : CheckpointHalving.parse(spec);
            if (!checkpoints.isEmpty()) new CheckpointHalving(checkpoints, eta, null, List.of());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Gp val = Gp.of(s.get("val")), size = Gp.of(s.get("size"));
        double capMs = 1000 * s.get("cap_s").asDouble(), fullS = s.get("full_s").asDouble(), microS = s.get("micro_s").asDouble();
        double stopS = s.get("stop_overhead_s").asDouble();
        long code = s.get("code_bytes").asLong(), limit = s.get("limit").asLong();
        for (int seed = 1; seed <= seeds; seed++) {
            SplittableRandom noise = new SplittableRandom(7_000 + seed);
            SearchProposer proposer = new SearchProposer(1336 + seed);
            List<Trial> history = new ArrayList<>();
            List<List<CheckpointHalving.Point>> peers = new ArrayList<>();
            List<String> events = new ArrayList<>();
            double spent = 0, best = Double.POSITIVE_INFINITY;
            while (spent < budget) {
                Map<String, String> env = proposer.propose(new ProposalContext(task, "surrogate", history, null, null, history.size())).env();
                double[] f = coords(task.search(), env);
                spent += microS;
                long bytes = code + Math.round(Math.exp(size.predict(f) + noise.nextGaussian() * size.noise()));
                if (bytes > limit) { // the micro tier measures it over the limit
                    history.add(new Trial(env, null, bytes, code));
                    continue;
                }
                if (spent >= budget) break; // its micro run spent the rest, as in the tournament
                double truth = val.predict(f);
                CheckpointHalving gate = checkpoints.isEmpty() ? null : new CheckpointHalving(checkpoints, eta, capMs, List.copyOf(peers));
                List<CheckpointHalving.Point> curve = new ArrayList<>();
                Double stoppedAt = null;
                double lossThere = Double.NaN;
                int step = 0;
                for (double c : checkpoints) {
                    double loss = truth + noise.nextGaussian() * checkpointSd(s.get("checkpoint_sd"), c);
                    curve.add(new CheckpointHalving.Point(c, loss));
                    LiveProgress p = new LiveProgress();
                    p.accept(String.format(Locale.ROOT, "step:%d/20000 train_loss:%.4f train_time:%.0fms step_avg:1.00ms", ++step, loss, c * capMs));
                    if (gate.stop(p)) {
                        stoppedAt = c;
                        lossThere = loss;
                        break;
                    }
                }
                peers.add(curve);
                if (stoppedAt != null) {
                    spent += stopS + stoppedAt * capMs / 1000;
                    history.add(new Trial(env, null, bytes, code, new Trial.Stopped(stoppedAt, lossThere)));
                    continue;
                }
                spent += fullS;
                double score = truth + noise.nextGaussian() * val.noise();
                history.add(new Trial(env, score, bytes, code));
                best = Math.min(best, score);
                events.add(String.format(Locale.ROOT, "[%.1f, %.5f]", spent, best));
            }
            System.out.println("{\"method\": \"caddie\", \"seed\": " + seed + ", \"curve\": [" + String.join(", ", events) + "]}");
        }
    }

    /** The recorded error of train_loss at the nearest fitted checkpoint (they are fitted every 10%). */
    static double checkpointSd(JsonNode sd, double c) {
        return sd.get(String.format(Locale.ROOT, "%.1f", Math.max(0.1, Math.min(0.8, Math.round(c * 10) / 10.0)))).asDouble();
    }

    /** The surrogate's coordinates, as bench/search_surrogate.py computes them: each parameter scaled to [0, 1]. */
    static double[] coords(List<SearchParam> space, Map<String, String> env) {
        double[] f = new double[space.size()];
        for (int j = 0; j < f.length; j++) {
            SearchParam p = space.get(j);
            String v = env.getOrDefault(p.name(), p.defaultValue());
            f[j] = switch (p.kind()) {
                case CATEGORICAL -> p.choices().indexOf(v) / (double) Math.max(1, p.choices().size() - 1);
                case LOG_FLOAT -> (Math.log(Double.parseDouble(v)) - Math.log(p.low())) / (Math.log(p.high()) - Math.log(p.low()));
                default -> (Double.parseDouble(v) - p.low()) / (p.high() - p.low());
            };
        }
        return f;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asDouble();
        return out;
    }
}
