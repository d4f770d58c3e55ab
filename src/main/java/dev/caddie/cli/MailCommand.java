package dev.caddie.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.agent.Mailbox;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Message;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "mail", description = "Messages between roles (research requests and results, findings, promotion requests), kept in the ledger.",
        subcommands = {MailCommand.Post.class, MailCommand.ListMessages.class, MailCommand.Ack.class, MailCommand.Import.class, MailCommand.Export.class})
final class MailCommand extends ParentCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "post", description = "Post a message (a repeat of one already posted returns its id).")
    static final class Post implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--kind", required = true, description = "research_request, research_result, finding or promotion_request") String kind;
        @Option(names = "--from", required = true, description = "the sending role or agent") String from;
        @Option(names = "--topic", description = "a research request's topic (or the topic a result answers)") String topic;
        @Option(names = "--finding", description = "a result's or finding's text") String finding;
        @Option(names = "--request", description = "the request a result answers") Long request;
        @Option(names = "--candidate", description = "the candidate a promotion request is for") Long candidate;
        @Option(names = "--reason", description = "why") String reason;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = JSON.createObjectNode();
            if (topic != null) body.put("topic", topic);
            if (finding != null) body.put("finding", finding);
            if (request != null) body.put("request_id", request);
            if (candidate != null) body.put("candidate", candidate);
            if (reason != null) body.put("reason", reason);
            try (Ledger l = LedgerCommand.open(ws)) {
                Message.Posted p = new Mailbox(l).post(kind, from, body);
                System.out.println((p.duplicate() ? "already posted as message " : "posted message ") + p.id());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List messages with their state and who acknowledged them.")
    static final class ListMessages implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--kind", description = "only this kind") String kind;
        @Option(names = "--json", description = "one JSON object per message, one per line") boolean json;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = LedgerCommand.read(ws)) {
                for (Message m : l.messages(kind)) {
                    if (json) {
                        ObjectNode o = JSON.createObjectNode().put("id", m.id()).put("kind", m.kind()).put("from", m.sender()).put("state", m.state())
                                .put("created_at", m.createdAt());
                        if (m.requestId() != null) o.put("request_id", m.requestId());
                        o.set("body", JSON.readTree(m.body()));
                        m.ackedBy().forEach(o.putArray("acked_by")::add);
                        System.out.println(JSON.writeValueAsString(o));
                    } else {
                        JsonNode b = JSON.readTree(m.body());
                        String text = b.has("topic") ? b.get("topic").asText() : b.has("finding") ? b.get("finding").asText() : b.toString();
                        System.out.printf(Locale.ROOT, "#%d %-17s %-9s from %s%s: %s%s%n", m.id(), m.kind(), m.state(), m.sender(),
                                m.requestId() == null ? "" : " (answers #" + m.requestId() + ")", text,
                                m.ackedBy().isEmpty() ? "" : "  [read by " + String.join(", ", m.ackedBy()) + "]");
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "ack", description = "Record that a consumer has read a message.")
    static final class Ack implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Parameters(paramLabel = "ID") long id;
        @Option(names = "--by", required = true, description = "the consuming role or agent") String by;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = LedgerCommand.open(ws)) {
                System.out.println(l.ack(id, by) ? "acknowledged #" + id + " for " + by : "#" + id + " was already acknowledged by " + by);
            }
            return 0;
        }
    }

    @Command(name = "import", description = "Read an agent's research_queue/research_results/research_ack/promotion_queue .jsonl files from a folder.")
    static final class Import implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Parameters(paramLabel = "DIR") Path dir;
        @Option(names = "--from", required = true, description = "the agent the files belong to") String from;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = LedgerCommand.open(ws)) {
                Mailbox.Imported r = new Mailbox(l).importFrom(dir, from, from);
                r.problems().forEach(p -> System.err.println("caddie: " + p));
                System.out.printf(Locale.ROOT, "imported %d new message(s), %d already known, %d acknowledgement(s); %d line(s) skipped%n",
                        r.posted(), r.duplicates(), r.acked(), r.problems().size());
                return r.problems().isEmpty() ? 0 : 1;
            }
        }
    }

    @Command(name = "export", description = "Write the ledger's messages as .jsonl files into a folder (for agents that read files).")
    static final class Export implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Parameters(paramLabel = "DIR") Path dir;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = LedgerCommand.read(ws)) {
                new Mailbox(l).exportTo(dir);
                System.out.println("wrote " + dir.resolve(Mailbox.QUEUE) + ", " + Mailbox.RESULTS + ", " + Mailbox.ACKS + ", " + Mailbox.PROMOTIONS);
            }
            return 0;
        }
    }
}
