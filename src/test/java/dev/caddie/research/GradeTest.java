package dev.caddie.research;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FindingGrade;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Workspace;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Grading against a chat-completions server on loopback: the pre-filter, the schema, retries, streaming, the budget. */
class GradeTest {
    @TempDir Path tmp;
    static final String GOOD = "{\"relevance\": 8, \"feasibility\": 7, \"expected_gain_bpb\": 0.012, \"implementation_cost\": 3, \"novelty\": 6, "
            + "\"tier\": \"A\", \"plan\": \"Swap AdamW for Muon on the matrix parameters and compare on the micro tier first.\"}";

    private Path workspace(String llm) throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")) + "\n" + llm);
        return ws;
    }

    private static long finding(Ledger l, String title, String summary) {
        return l.findings().add(new Finding(0, "arxiv", "id:" + title, "https://arxiv.org/abs/" + Math.abs(title.hashCode()), title, summary, List.of("A. Author"),
                "2026-11-01T00:00:00Z", null, null, "{}", null)).id();
    }

    @Test
    void aStatedModelThatCannotFitIsRejectedWithoutACallAndTheRestAreGradedFromTheLedgersContext() throws Exception {
        try (LlmStandIn llm = new LlmStandIn()) {
            Path ws = workspace("[llm]\nbase_url = \"" + llm.baseUrl() + "\"\nmodel = \"stand-in\"\napi_key_env = \"CADDIE_TEST_LLM_KEY\"\n"
                    + "input_per_million = 1.0\noutput_per_million = 4.0\n");
            TaskSpec task = TaskSpecReader.read(ws);
            try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
                long big = finding(l, "Scaling 2-bit LLMs", "We quantize 7B-parameter models to 2-bit weights with little loss.");
                long muon = finding(l, "Muon is scalable for LLM training", "An orthogonalised momentum optimizer trains transformers faster.");
                llm.replies.add(LlmStandIn.Reply.ok(GOOD));
                Grader.Run run = new Grader(task, l, new LlmClient(task.llm(), Map.of("CADDIE_TEST_LLM_KEY", "sk-test"))).run(100, false, s -> {});
                assertThat(run.outcomes()).hasSize(2);
                var grades = l.findings().latestGrades();
                assertThat(grades.get(big).status()).isEqualTo(FindingGrade.REJECTED);
                assertThat(grades.get(big).reason()).contains("7B parameters at 2 bits").contains(String.format(java.util.Locale.ROOT, "over the %,d-byte artifact limit", task.limits().artifactBytes())).contains("NOT FEASIBLE");
                assertThat(grades.get(muon).status()).isEqualTo(FindingGrade.GRADED);
                assertThat(grades.get(muon).tier()).isEqualTo("A");
                assertThat(grades.get(muon).scoresJson()).contains("\"expected_gain_bpb\":0.012");
                assertThat(grades.get(muon).promptTokens()).isPositive();
                assertThat(grades.get(muon).costUsd()).isPositive();
                assertThat(llm.requests).as("one call: the rejected finding cost nothing").hasSize(1);
                assertThat(llm.authorizations).containsExactly("Bearer sk-test");
                String prompt = llm.requests.get(0).toString();
                assertThat(prompt).contains(String.format(java.util.Locale.ROOT, "%,d bytes", task.limits().artifactBytes())).contains("Muon is scalable").contains("\"model\":\"stand-in\"");
                // a second run has nothing left to judge
                assertThat(new Grader(task, l, new LlmClient(task.llm(), Map.of("CADDIE_TEST_LLM_KEY", "sk-test"))).run(100, false, s -> {}).outcomes()).isEmpty();
            }
        }
    }

    @Test
    void anOffSchemaAnswerIsSentBackOnceThenRecordedUngradedAndA429IsWaitedOut() throws Exception {
        try (LlmStandIn llm = new LlmStandIn()) {
            Path ws = workspace("[llm]\nbase_url = \"" + llm.baseUrl() + "\"\nmodel = \"stand-in\"\nconcurrency = 1\n");
            TaskSpec task = TaskSpecReader.read(ws);
            try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
                long fixed = finding(l, "Fixed on the second try", "x");
                long prose = finding(l, "Only prose comes back", "y");
                llm.replies.add(LlmStandIn.Reply.fail(429));
                llm.replies.add(LlmStandIn.Reply.ok("```json\n{\"relevance\": 11, \"tier\": \"A\"}\n```"));
                llm.replies.add(LlmStandIn.Reply.ok("Sure! " + GOOD.replace("\"A\"", "\"B\"")));
                llm.replies.add(LlmStandIn.Reply.ok("I think this paper is quite relevant."));
                llm.replies.add(LlmStandIn.Reply.ok("Still prose."));
                new Grader(task, l, new LlmClient(task.llm(), Map.of())).run(100, false, s -> {});
                var grades = l.findings().latestGrades();
                assertThat(grades.get(fixed).status()).isEqualTo(FindingGrade.GRADED);
                assertThat(grades.get(fixed).tier()).isEqualTo("B");
                assertThat(llm.requests.get(2).toString()).contains("does not match the schema: 'relevance' must be from 0 to 10, got 11");
                assertThat(grades.get(prose).status()).isEqualTo(FindingGrade.UNGRADED);
                assertThat(grades.get(prose).reason()).contains("stayed off the schema").contains("not a JSON object");
                assertThat(llm.authorizations).as("no key configured, none sent").containsOnly("null");
            }
        }
    }

    @Test
    void aStreamedAnswerIsReadFromItsEventsAndTheBudgetStopsTheRun() throws Exception {
        try (LlmStandIn llm = new LlmStandIn()) {
            Path ws = workspace("[llm]\nbase_url = \"" + llm.baseUrl() + "\"\nmodel = \"stand-in\"\nstream = true\ndollars = 0.001\nconcurrency = 1\n"
                    + "input_per_million = 10.0\noutput_per_million = 10.0\n");
            TaskSpec task = TaskSpecReader.read(ws);
            try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
                long first = finding(l, "First", "a");
                finding(l, "Second", "b");
                llm.replies.add(LlmStandIn.Reply.ok(GOOD));
                llm.replies.add(LlmStandIn.Reply.ok(GOOD));
                Grader.Run run = new Grader(task, l, new LlmClient(task.llm(), Map.of())).run(100, false, s -> {});
                assertThat(llm.requests.get(0).path("stream").asBoolean()).isTrue();
                assertThat(l.findings().latestGrades().get(first).tier()).isEqualTo("A");
                assertThat(l.findings().latestGrades().get(first).promptTokens()).as("usage from the stream's last chunk").isPositive();
                assertThat(run.stopped()).contains("[llm] budget of $0.00 is spent");
                assertThat(run.waiting()).isEqualTo(1);
                assertThat(llm.requests).hasSize(1);
            }
        }
    }

    @Test
    void aServerThatRefusesConnectionsOrAMissingKeyIsAClearLineAndNothingIsLost() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) { port = s.getLocalPort(); }
        Path ws = workspace("[llm]\nbase_url = \"http://127.0.0.1:" + port + "/v1\"\nmodel = \"m\"\napi_key_env = \"CADDIE_NO_SUCH_KEY\"\nconcurrency = 1\n");
        TaskSpec task = TaskSpecReader.read(ws);
        assertThatThrownBy(() -> new LlmClient(task.llm(), Map.of())).hasMessageContaining("CADDIE_NO_SUCH_KEY").hasMessageContaining("not set");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            for (int i = 0; i < 5; i++) finding(l, "Paper " + i, "s");
            Grader.Run run = new Grader(task, l, new LlmClient(task.llm(), Map.of("CADDIE_NO_SUCH_KEY", "k"))).run(100, false, s -> {});
            assertThat(run.outcomes()).hasSize(3).allSatisfy(o -> assertThat(o.grade().reason()).contains("refuses connections"));
            assertThat(run.stopped()).contains("3 calls in a row failed");
            assertThat(l.findings().all()).hasSize(5);
            // the ungraded ones are judged again on the next run
            assertThat(new Grader(task, l, null).run(100, false, s -> {}).waiting()).isEqualTo(5);
        }
    }

    @Test
    void prefilterReadsCountsAndWidthsAsPapersWriteThem() {
        assertThat(Prefilter.smallestParams("models from 125M to 1.3B parameters")).hasValue(125_000_000L);
        assertThat(Prefilter.smallestParams("a 7B-parameter LM trained on 2T tokens")).hasValue(7_000_000_000L);
        assertThat(Prefilter.smallestParams("trained on 2B tokens")).isEmpty();
        assertThat(Prefilter.smallestBits("INT4 weights and 8-bit activations")).hasValue(4.0);
        assertThat(Prefilter.smallestBits("BitNet b1.58: ternary weights")).hasValue(1.58);
        assertThat(Prefilter.smallestBits("no width here")).isEmpty();
        assertThat(Prefilter.smallestParams("60-350M parameter models")).hasValue(60_000_000L);
        Prefilter p = new Prefilter(16_000_000);
        assertThat(p.judge("Small ternary model", "a 20M parameter model with ternary weights").feasible()).isTrue();
        assertThat(p.judge("Scaling laws", "we study optimizers").reason()).contains("left to the grader");
    }
}
