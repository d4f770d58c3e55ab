package dev.caddie.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * TSV and JSONL exports. The TSV starts with karpathy/autoresearch's results.tsv columns
 * (commit val_bpb memory_gb status description) so its tools read it, then Caddie's own columns.
 */
public final class LedgerExport {
    public static final List<String> TSV_COLUMNS = List.of("commit", "val_bpb", "memory_gb", "status", "description",
            "candidate", "tag", "proposer", "tier", "seed", "run_status", "val_loss", "score_name", "artifact_bytes", "code_bytes",
            "train_time_ms", "duration_ms", "cost_usd", "env", "reason", "log_sha256");

    private LedgerExport() {}

    public static void tsv(List<Experiment> rows, Writer w) throws IOException {
        w.write(String.join("\t", TSV_COLUMNS) + "\n");
        for (Experiment e : rows) {
            Candidate c = e.candidate();
            RunRecord r = e.run();
            Verdict v = e.verdict();
            String env = c.env().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(" "));
            List<String> cells = List.of(c.commit().substring(0, Math.min(7, c.commit().length())),
                    r == null || r.valBpb() == null ? "0.000000" : String.format(Locale.ROOT, "%.6f", r.valBpb()),
                    r == null || r.peakMemMib() == null ? "0.0" : String.format(Locale.ROOT, "%.1f", r.peakMemMib() / 1024.0),
                    v == null ? "pending" : v.verdict(), clean(c.description()),
                    Long.toString(c.id()), c.tag(), c.proposer(), r == null ? "" : r.tier(), r == null ? "" : Long.toString(r.seed()),
                    r == null ? "" : r.status(), r == null || r.valLoss() == null ? "" : String.format(Locale.ROOT, "%.8f", r.valLoss()),
                    r == null || r.scoreName() == null ? "" : r.scoreName(), str(r == null ? null : r.artifactBytes()),
                    str(r == null ? null : r.codeBytes()), str(r == null ? null : r.trainTimeMs()), str(r == null ? null : r.durationMs()),
                    r == null || r.costUsd() == null ? "" : String.format(Locale.ROOT, "%.4f", r.costUsd()), env,
                    v == null ? "" : clean(v.reason()), r == null || r.logSha256() == null ? "" : r.logSha256());
            w.write(String.join("\t", cells) + "\n");
        }
    }

    public static void jsonl(List<Experiment> rows, Writer w) throws IOException {
        ObjectMapper m = new ObjectMapper();
        for (Experiment e : rows) {
            ObjectNode o = m.createObjectNode();
            o.set("candidate", m.valueToTree(e.candidate()));
            o.set("run", e.run() == null ? m.nullNode() : m.valueToTree(e.run()));
            o.set("verdict", e.verdict() == null ? m.nullNode() : m.valueToTree(e.verdict()));
            w.write(m.writeValueAsString(o) + "\n");
        }
    }

    private static String str(Object o) { return o == null ? "" : o.toString(); }

    /** Tabs and newlines would break the TSV's shape. */
    private static String clean(String s) { return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' '); }
}
