// Research grading on a replayed batch of arXiv-like items (default 500): how many the size pre-filter rejects
// (no model called), how many go to the model, and the wall time, against a chat-completions server on loopback
// that answers as a model would (a fixed valid grade after a delay per call, default 300 ms, like a small hosted
// model). The items are generated from the shapes abstracts take: a stated size and width (often too big for a
// 16 MB artifact), a size alone, a width alone, neither. Run with bench/research-grade [N] [MS_PER_CALL].
import com.sun.net.httpserver.HttpServer;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FindingGrade;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Workspace;
import dev.caddie.loop.WorkspaceSetup;
import dev.caddie.research.Grader;
import dev.caddie.research.LlmClient;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

public class ResearchGrade {
    static final String[] SIZES = {"60M", "125M", "350M", "770M", "1.3B", "2.7B", "7B", "13B", "70B", "20M", "8M"};
    static final String[] WIDTHS = {"2-bit", "3-bit", "4-bit", "INT4", "INT8", "ternary", "1.58-bit", "binary", "FP8", "6-bit"};
    static final String[] TOPICS = {"quantization-aware training", "an orthogonalised optimizer", "depth recurrence", "test-time training",
            "low-rank adapters", "mixture of experts", "tokenizer design", "weight sharing", "sliding-window evaluation", "knowledge distillation"};

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int delayMs = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        AtomicInteger calls = new AtomicInteger();
        String grade = "{\"relevance\": 6, \"feasibility\": 5, \"expected_gain_bpb\": 0.004, \"implementation_cost\": 4, \"novelty\": 5, \"tier\": \"B\", "
                + "\"plan\": \"Port the method to the training script behind a flag and compare on the micro tier first.\"}";
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", x -> {
            x.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            try { Thread.sleep(delayMs); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            String body = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(grade)
                    + "}}],\"usage\":{\"prompt_tokens\":900,\"completion_tokens\":80}}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a model server answers calls in parallel
        server.start();
        Path ws = Files.createTempDirectory("caddie-grade-bench-");
        WorkspaceSetup.init(ws, "parameter-golf", false);
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")) + "\n[llm]\nbase_url = \"http://127.0.0.1:"
                + server.getAddress().getPort() + "/v1\"\nmodel = \"bench\"\ninput_per_million = 0.15\noutput_per_million = 0.6\ndollars = 100.0\n");
        TaskSpec task = TaskSpecReader.read(ws);
        SplittableRandom r = new SplittableRandom(11);
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            for (int i = 0; i < n; i++) {
                String topic = TOPICS[r.nextInt(TOPICS.length)], size = SIZES[r.nextInt(SIZES.length)], width = WIDTHS[r.nextInt(WIDTHS.length)];
                String summary = switch (r.nextInt(4)) {
                    case 0 -> "We apply " + topic + " to " + size + " parameter language models with " + width + " weights and match full precision.";
                    case 1 -> "We study " + topic + " for a " + size + "-parameter transformer trained on 100B tokens.";
                    case 2 -> "A " + width + " recipe for " + topic + " that keeps perplexity within 2%.";
                    default -> "We revisit " + topic + " and show consistent gains across benchmarks.";
                };
                l.findings().add(new Finding(0, "arxiv", "bench-" + i, "https://arxiv.org/abs/2611." + String.format("%05d", i), "On " + topic + " (" + i + ")",
                        summary, List.of("A. Author"), "2026-11-01T00:00:00Z", "2611." + String.format("%05d", i), null, "{}", null));
            }
            long t0 = System.nanoTime();
            Grader.Run run = new Grader(task, l, new LlmClient(task.llm(), Map.of())).run(n, false, s -> {});
            double secs = (System.nanoTime() - t0) / 1e9;
            long rejected = run.outcomes().stream().filter(o -> o.grade().status().equals(FindingGrade.REJECTED)).count();
            long graded = run.outcomes().stream().filter(o -> o.grade().status().equals(FindingGrade.GRADED)).count();
            System.out.printf("%d items: %d rejected by the pre-filter (no model called), %d graded by the model, %d model calls%n", n, rejected, graded, calls.get());
            System.out.printf("LLM calls saved: %d of %d (%.0f%%); wall time %.1f s with %d calls in flight (%.0f ms per call at the model: %.1f s if sent one by one)%n",
                    rejected, n, 100.0 * rejected / n, secs, task.llm().concurrency(), (double) delayMs, calls.get() * delayMs / 1000.0);
            System.out.printf("spent $%.4f at $0.15/$0.60 per million tokens%n", l.findings().llmSpend());
        } finally {
            server.stop(0);
        }
    }
}
