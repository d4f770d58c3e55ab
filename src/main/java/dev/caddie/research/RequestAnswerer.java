package dev.caddie.research;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.agent.Mailbox;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FindingGrade;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Message;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Answers the open research requests in the mailbox (an agent asked "what is known about X?"): the findings whose
 * title or abstract share the most words with the topic, graded ones first, posted as the request's result, which
 * closes it. With an [llm], a short synthesis of them leads the answer.
 */
public final class RequestAnswerer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STOP = Set.of("the", "a", "an", "of", "for", "and", "or", "in", "on", "to", "with", "is", "what", "how", "does", "do", "we", "it", "at", "by");

    private final Ledger ledger;
    private final LlmClient llm;

    public RequestAnswerer(Ledger ledger, LlmClient llm) {
        this.ledger = ledger;
        this.llm = llm;
    }

    /** Answers every open request; returns one line per answer. */
    public List<String> answerOpen() throws InterruptedException {
        List<String> said = new ArrayList<>();
        for (Message m : ledger.messages("research_request")) {
            if (!m.state().equals(Message.OPEN)) continue;
            String topic;
            try {
                JsonNode b = JSON.readTree(m.body());
                topic = b.path("topic").asText("") + " " + b.path("detail").asText("");
            } catch (IOException e) {
                continue;
            }
            List<Finding> hits = matching(topic.strip(), 5);
            if (hits.isEmpty()) {
                // left open: a later fetch may bring what it asks about, and an answer of nothing would close it
                said.add("request " + m.id() + " (" + topic.strip() + "): no finding matches yet; left open");
                continue;
            }
            StringBuilder answer = new StringBuilder();
            if (llm != null) {
                try {
                    LlmClient.Answer a = llm.chat(List.of(new LlmClient.Message("system", "Answer a research question for an ML experiment loop in at most 5 sentences, "
                                    + "citing the findings by number. No preamble."),
                            new LlmClient.Message("user", "Question: " + topic.strip() + "\n\nFindings:\n" + list(hits))));
                    answer.append(a.content().strip()).append("\n\n");
                } catch (IOException e) {
                    answer.append("(no synthesis: ").append(e.getMessage()).append(")\n\n");
                }
            }
            answer.append(list(hits));
            var body = JSON.createObjectNode().put("request_id", m.id()).put("finding", answer.toString().strip()).put("source", "caddie research serve");
            new Mailbox(ledger).post("research_result", "research", body);
            said.add("answered request " + m.id() + " (" + topic.strip() + ") with " + hits.size() + " finding(s)");
        }
        return said;
    }

    /** Findings sharing the most topic words, graded A/B before ungraded before C and rejected, newest first among equals. */
    List<Finding> matching(String topic, int n) {
        Set<String> words = words(topic);
        if (words.isEmpty()) return List.of();
        Map<Long, FindingGrade> grades = ledger.findings().latestGrades();
        record Scored(Finding f, long overlap, int rank) {}
        List<Scored> scored = new ArrayList<>();
        for (Finding f : ledger.findings().all()) {
            Set<String> fw = words(f.title() + " " + (f.summary() == null ? "" : f.summary()));
            long overlap = words.stream().filter(fw::contains).count();
            if (overlap == 0) continue;
            FindingGrade g = grades.get(f.id());
            int rank = g == null ? 2 : FindingGrade.REJECTED.equals(g.status()) ? 4 : "A".equals(g.tier()) ? 0 : "B".equals(g.tier()) ? 1 : "C".equals(g.tier()) ? 3 : 2;
            scored.add(new Scored(f, overlap, rank));
        }
        return scored.stream().sorted(Comparator.comparingLong((Scored s) -> -s.overlap()).thenComparingInt(Scored::rank)
                        .thenComparing((Scored s) -> s.f().published() == null ? "" : s.f().published(), Comparator.reverseOrder()))
                .limit(n).map(Scored::f).toList();
    }

    private String list(List<Finding> hits) {
        Map<Long, FindingGrade> grades = ledger.findings().latestGrades();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < hits.size(); i++) {
            Finding f = hits.get(i);
            FindingGrade g = grades.get(f.id());
            b.append(String.format(Locale.ROOT, "%d. %s (finding %d%s%s)%s%n", i + 1, f.title(), f.id(),
                    g == null ? "" : FindingGrade.GRADED.equals(g.status()) ? ", tier " + g.tier() : ", " + g.status(), f.url() == null ? "" : ", " + f.url(),
                    g != null && g.plan() != null ? ": " + g.plan() : ""));
        }
        return b.toString();
    }

    private static Set<String> words(String s) {
        return Arrays.stream(s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")).filter(w -> w.length() > 2 && !STOP.contains(w)).collect(Collectors.toSet());
    }
}
