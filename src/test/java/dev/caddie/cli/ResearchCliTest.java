package dev.caddie.cli;

import dev.caddie.TestWorkspace;
import dev.caddie.research.SourceStandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** `caddie research fetch | list | show` as a user runs them, against arXiv and a feed served on loopback. */
class ResearchCliTest {
    @TempDir Path tmp;

    private record Out(int code, String text) {}

    private static Out caddie(Path ws, String... args) throws Exception {
        Path out = ws.resolveSibling("out-" + System.nanoTime() + ".txt");
        Process p = CaddieProcessTestSupport.caddie(ws, out, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("Exception in thread", "\tat ");
        return new Out(p.exitValue(), text);
    }

    @Test
    void fetchStoresFindingsNamesAFailedFeedAndListAndShowReadThem() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Out none = caddie(ws, "research", "fetch");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.text()).contains("nothing to fetch: [research] in caddie.toml names no keywords and no feeds");
        try (SourceStandIn s = new SourceStandIn()) {
            s.papers.add(new SourceStandIn.Paper("http://arxiv.org/abs/2401.00001v1", "Quantization Aware Training at Scale", "QAT, measured.",
                    "2026-01-02T00:00:00Z", List.of("Ada Lovelace"), null));
            s.bodies.put("/login", "<!DOCTYPE html><html>sign in</html>");
            Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")) + """

                    [research]
                    keywords = ["quantization aware training"]
                    categories = ["cs.LG"]
                    since = "2025-06-01"
                    feeds = ["%s"]
                    arxiv_api = "%s"
                    arxiv_interval_seconds = 0
                    scholar_api = "%s"
                    scholar_interval_seconds = 0
                    openreview_api = "%s"
                    openreview_interval_seconds = 0
                    """.formatted(s.url("/login"), s.url("/api/query"), s.base(), s.base()));
            Out fetched = caddie(ws, "research", "fetch");
            assertThat(fetched.code()).as(fetched.text()).isZero(); // one source failed, not all
            assertThat(fetched.text()).contains("arxiv:quantization aware training", "1 new, 0 already known",
                    "scholar:quantization aware training", "0 new, 1 already known",
                    "FAILED: the feed " + s.url("/login") + " answered an HTML page", "1 findings in the ledger; 1 query failed");
            Out list = caddie(ws, "research", "list");
            assertThat(list.text()).containsPattern("\\s+1\\s+arxiv\\s+2026-01-02\\s+-\\s+Quantization Aware Training at Scale");
            Out show = caddie(ws, "research", "show", "1");
            assertThat(show.text()).contains("arXiv: 2401.00001", "authors: Ada Lovelace", "QAT, measured.");
            assertThat(caddie(ws, "research", "show", "9").text()).contains("no finding 9 in the ledger");
            assertThat(caddie(ws, "research", "fetch", "--source", "twitter").text()).contains("unknown source 'twitter'; accepted: arxiv, scholar, openreview, github, feed, frontier");
        }
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")).replace("categories = [\"cs.LG\"]", "categories = [\"machine learning\"]")
                .replace("since = \"2025-06-01\"", "since = \"June\""));
        assertThat(caddie(ws, "research", "list").code()).as("listing reads the ledger, not caddie.toml").isZero();
        Out badFetch = caddie(ws, "research", "fetch");
        assertThat(badFetch.code()).isEqualTo(2);
        assertThat(badFetch.text()).contains("research.categories: 'machine learning' is not an arXiv category", "research.since: 'June' is not a date");
    }

    @Test
    void gradeRejectsByThePrefilterWithoutAModelThenGradesWithOneAndReflectWritesTheStrategy() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(new dev.caddie.loop.Workspace(ws).ledgerFile())) {
            l.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "a", "https://arxiv.org/abs/1", "BitNet at scale", "We train 3B-parameter ternary models.",
                    List.of(), "2026-10-01", null, null, "{}", null));
            l.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "b", "https://arxiv.org/abs/2", "Muon for small models", "Orthogonalised updates help.",
                    List.of(), "2026-10-02", null, null, "{}", null));
        }
        Out offline = caddie(ws, "research", "grade");
        assertThat(offline.code()).as(offline.text()).isZero();
        assertThat(offline.text()).contains("rejected", "3B parameters at 1.58 bits", "1 findings wait for a model: [llm] is not configured");
        try (dev.caddie.research.LlmStandIn llm = new dev.caddie.research.LlmStandIn()) {
            Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")) + "\n[llm]\nbase_url = \"" + llm.baseUrl()
                    + "\"\nmodel = \"stand-in\"\noutput_per_million = 2.0\n");
            llm.replies.add(dev.caddie.research.LlmStandIn.Reply.ok("{\"relevance\": 9, \"feasibility\": 8, \"expected_gain_bpb\": 0.01, \"implementation_cost\": 2, "
                    + "\"novelty\": 5, \"tier\": \"A\", \"plan\": \"Replace AdamW with Muon for the matrices; test on micro, then local.\"}"));
            Out graded = caddie(ws, "research", "grade");
            assertThat(graded.code()).as(graded.text()).isZero();
            assertThat(graded.text()).containsPattern("\\s+2\\s+tier A\\s+Muon for small models").contains("1 graded, 0 rejected by the pre-filter");
            assertThat(caddie(ws, "research", "list").text()).containsPattern("1\\s+arxiv\\s+2026-10-01\\s+rejected").containsPattern("2\\s+arxiv\\s+2026-10-02\\s+tier A");
            assertThat(caddie(ws, "research", "show", "2").text()).contains("grade: tier A", "plan: Replace AdamW with Muon", "by stand-in");
            llm.replies.add(dev.caddie.research.LlmStandIn.Reply.ok("- Muon first: predicted -0.01 bpb."));
            Out reflect = caddie(ws, "research", "reflect");
            assertThat(reflect.code()).as(reflect.text()).isZero();
            assertThat(reflect.text()).contains("## Synthesis (stand-in)", "- Muon first: predicted -0.01 bpb.", "## Next experiments", "finding 2 (expected 0.010 bpb)");
            assertThat(Files.readString(ws.resolve("strategy.md"))).contains("Muon first");
            // the model down: the deterministic part is still written
            Out down = caddie(ws, "research", "reflect");
            assertThat(down.text()).contains("the [llm] synthesis failed").contains("## Where the search stands");
        }
    }

    @Test
    @dev.caddie.Needs(dev.caddie.Requirement.PYTHON3) // the stand-in agent is a Python script
    void verifyHasAnAgentWriteTheFindingsChangeAndRecordsHowTheMicroTierWent() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path agent = Files.writeString(tmp.resolve("agent.py"), """
                import os, sys
                sys.stdin.read()
                mode = os.environ["AGENT_MODE"]
                src = open("train.java").read()
                old = 'real("MATRIX_LR", 0.004'
                assert old in src
                if mode == "good":
                    src = src.replace(old, 'real("MATRIX_LR", 0.006')
                elif mode == "broken":
                    src = src.replace(old, 'real("MATRIX_LR", 0.004 +')
                open("train.java", "w").write(src)
                """);
        StringBuilder toml = new StringBuilder(Files.readString(ws.resolve("caddie.toml")));
        for (String mode : List.of("good", "broken"))
            toml.append("\n[agent.").append(mode).append("]\nkind = \"generic\"\ncommand = [\"python3\", \"").append(agent).append("\"]\n")
                    .append("env = { AGENT_MODE = \"").append(mode).append("\" }\n");
        Files.writeString(ws.resolve("caddie.toml"), toml.toString());
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(new dev.caddie.loop.Workspace(ws).ledgerFile())) {
            for (int i = 1; i <= 2; i++) {
                long f = l.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "v" + i, "https://arxiv.org/abs/" + i, "Finding " + i, "abstract " + i,
                        List.of(), "2026-10-01", null, null, "{}", null)).id();
                l.findings().addGrade(new dev.caddie.ledger.FindingGrade(f, "graded", "A", "{\"expected_gain_bpb\": 0.0" + (3 - i) + "}",
                        "raise the matrix learning rate a little and compare", null, "m", 1, 1, 0, null));
            }
        }
        Out good = caddie(ws, "research", "verify", "--agent", "good", "--top", "1", "--unsandboxed");
        assertThat(good.code()).as(good.text()).isZero();
        assertThat(good.text()).containsPattern("\\s+1\\s+passes\\s+Finding 1");
        Out broken = caddie(ws, "research", "verify", "--agent", "broken", "--top", "1", "--unsandboxed");
        assertThat(broken.code()).as(broken.text()).isEqualTo(1);
        assertThat(broken.text()).containsPattern("\\s+2\\s+crash\\s+Finding 2");
        assertThat(caddie(ws, "research", "show", "1").text()).contains("verified on the micro tier: passes", "+        final double matrixLr = real(\"MATRIX_LR\", 0.006");
        assertThat(caddie(ws, "research", "verify", "--agent", "good", "--unsandboxed").text()).contains("nothing to verify");
        assertThat(Files.readString(ws.resolve("train.java"))).as("the workspace itself is untouched").contains("real(\"MATRIX_LR\", 0.004");
    }

    @Test
    void serveAnswersOpenResearchRequestsFromTheFindingsAndRunsEachStepOfACycle() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(new dev.caddie.loop.Workspace(ws).ledgerFile())) {
            l.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "m", "https://arxiv.org/abs/9", "Muon optimizer for small transformers",
                    "Orthogonalised momentum beats AdamW at small scale.", List.of(), "2026-10-01", null, null, "{}", null));
            l.findings().add(new dev.caddie.ledger.Finding(0, "arxiv", "q", "https://arxiv.org/abs/8", "Quantization noise", "About int6.",
                    List.of(), "2026-10-01", null, null, "{}", null));
            var mail = new dev.caddie.agent.Mailbox(l);
            mail.post("research_request", "experiment", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("topic", "does the muon optimizer help?"));
            mail.post("research_request", "experiment", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("topic", "tokenizer tricks"));
        }
        Out served = caddie(ws, "research", "serve", "--once");
        assertThat(served.code()).as(served.text()).isZero();
        assertThat(served.text()).contains("research cycle 1", "answered request 1 (does the muon optimizer help?) with 1 finding(s)",
                "request 2 (tokenizer tricks): no finding matches yet; left open", "fetch: nothing configured in [research]",
                "grade: 0 judged (0 graded), 2 waiting", "reflect: wrote strategy.md");
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(new dev.caddie.loop.Workspace(ws).ledgerFile())) {
            assertThat(l.messages("research_request")).extracting(dev.caddie.ledger.Message::state).containsExactly("fulfilled", "open");
            var answer = l.messages("research_result").get(0);
            assertThat(answer.requestId()).isEqualTo(1L);
            assertThat(answer.body()).contains("Muon optimizer for small transformers").contains("https://arxiv.org/abs/9").doesNotContain("Quantization noise");
        }
        assertThat(ws.resolve("strategy.md")).exists();
    }
}
