package dev.caddie.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MailboxTest {
    @TempDir Path tmp;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void requestsAreDeduplicatedResultsFulfilThemAndAcksRecordWhoReadWhat() throws Exception {
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            Mailbox box = new Mailbox(l);
            Message.Posted req = box.post("research_request", "experiment", json.readTree("{\"topic\": \"QAT for int6 export\"}"));
            assertThat(box.post("research_request", "experiment", json.readTree("{\"topic\": \"  qat FOR int6   export \"}"))).isEqualTo(new Message.Posted(req.id(), true));
            Message.Posted res = box.post("research_result", "research", json.readTree("{\"topic\": \"QAT for int6 export\", \"finding\": \"late QAT from 15% of steps\"}"));
            assertThat(res.duplicate()).isFalse();
            List<Message> msgs = l.messages(null);
            assertThat(msgs.get(0).state()).isEqualTo(Message.FULFILLED);
            assertThat(msgs.get(1).requestId()).isEqualTo(req.id());
            assertThat(l.ack(res.id(), "experiment")).isTrue();
            assertThat(l.ack(res.id(), "experiment")).isFalse();
            assertThat(l.messages("research_result").get(0).ackedBy()).containsExactly("experiment");
            assertThatThrownBy(() -> box.post("research_request", "x", json.readTree("{}"))).hasMessageContaining("missing \"topic\"");
            assertThatThrownBy(() -> box.post("gossip", "x", json.readTree("{}"))).hasMessageContaining("accepted: [research_request");
        }
    }

    @Test
    void agentFilesImportWithMalformedLinesReportedAndSkippedAndExportRoundTrips() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("wt"));
        Files.writeString(dir.resolve(Mailbox.QUEUE), """
                {"topic": "sliding window eval stride"}
                {"topic": "sliding window eval stride"}
                not json at all
                {"detail": "no topic here"}
                {"topic": "bigram hash embeddings"}
                """);
        Files.writeString(dir.resolve(Mailbox.PROMOTIONS), "{\"candidate\": 1, \"reason\": \"beat the best by 3 sigma\"}\n[1, 2]\n"
                + "{\"candidate\": 999}\n{\"candidate\": -5}\n");
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            l.addCandidate("t", "c0ffee", "c0ffee", "search", "the candidate asked for", java.util.Map.of(), 0, 0, 0);
            Mailbox box = new Mailbox(l);
            Mailbox.Imported r = box.importFrom(dir, "experiment", "experiment");
            assertThat(r.posted()).isEqualTo(3);
            assertThat(r.duplicates()).isEqualTo(1);
            assertThat(r.problems()).containsExactly(
                    dir.resolve(Mailbox.QUEUE) + ":3: not valid JSON (Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')); skipped",
                    dir.resolve(Mailbox.QUEUE) + ":4: missing \"topic\" (a non-empty string); skipped",
                    dir.resolve(Mailbox.PROMOTIONS) + ":2: not a JSON object; skipped",
                    dir.resolve(Mailbox.PROMOTIONS) + ":3: no candidate 999 in the ledger (`caddie ledger list` shows them); skipped",
                    dir.resolve(Mailbox.PROMOTIONS) + ":4: no candidate -5 in the ledger (`caddie ledger list` shows them); skipped");
            // The research role answers through its own files, and acknowledges a request:
            Path research = Files.createDirectories(tmp.resolve("research"));
            Files.writeString(research.resolve(Mailbox.RESULTS), "{\"request_id\": 1, \"finding\": \"stride 64 gains 0.03 bpb\", \"source\": \"PR 50\"}\n");
            Files.writeString(research.resolve(Mailbox.ACKS), "{\"id\": 1}\n{\"id\": 99}\n");
            Mailbox.Imported r2 = box.importFrom(research, "research", "research");
            assertThat(r2.posted()).isEqualTo(1);
            assertThat(r2.acked()).isEqualTo(1);
            assertThat(r2.problems()).singleElement().asString().contains(":2: no message 99 in the ledger");
            assertThat(l.messages("research_request").get(0).state()).isEqualTo(Message.FULFILLED);
            box.exportTo(tmp.resolve("out"));
            List<String> queue = Files.readAllLines(tmp.resolve("out").resolve(Mailbox.QUEUE));
            assertThat(queue).hasSize(2);
            assertThat(json.readTree(queue.get(0)).get("state").asText()).isEqualTo("fulfilled");
            assertThat(json.readTree(Files.readAllLines(tmp.resolve("out").resolve(Mailbox.RESULTS)).get(0)).get("request_id").asLong()).isEqualTo(1);
            assertThat(Files.readAllLines(tmp.resolve("out").resolve(Mailbox.ACKS))).containsExactly("{\"id\":1,\"consumer\":\"research\"}");
            // Importing the export again adds nothing: posting is idempotent.
            Mailbox.Imported again = box.importFrom(tmp.resolve("out"), "experiment", "experiment");
            assertThat(again.posted()).isZero();
        }
    }
}
