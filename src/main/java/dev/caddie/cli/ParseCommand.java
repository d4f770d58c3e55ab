package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.run.FinalMetric;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "parse", description = "Read train logs (every Parameter Golf record format, and Tiny Golf's) and print what they say.")
final class ParseCommand implements Callable<Integer> {
    @Option(names = "--json", description = "one JSON object per log, one per line")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "LOG")
    List<Path> logs;

    @Override
    public Integer call() throws IOException {
        LogParser parser = new LogParser();
        ObjectMapper mapper = new ObjectMapper();
        int rc = 0;
        for (Path log : logs) {
            LogSummary s;
            try {
                s = parser.parse(log);
            } catch (IllegalArgumentException e) { // no such file, a folder, binary data: said, and the other logs still read
                System.err.println("caddie: " + e.getMessage());
                rc = 2;
                continue;
            }
            if (json) System.out.println(mapper.writeValueAsString(toJson(mapper, s)));
            else print(s);
        }
        return rc;
    }

    static ObjectNode toJson(ObjectMapper m, LogSummary s) {
        ObjectNode o = m.createObjectNode();
        o.put("file", s.file());
        o.put("runs", s.runs());
        if (s.score() == null) o.putNull("score");
        else o.putObject("score").put("name", s.score().name()).put("val_bpb", s.score().valBpb()).put("val_loss", s.score().valLoss());
        ObjectNode finals = o.putObject("finals");
        for (FinalMetric f : new TreeMap<>(s.finals()).values())
            finals.putObject(f.name()).put("val_bpb", f.valBpb()).put("val_loss", f.valLoss());
        o.put("artifact_bytes", s.artifactBytes());
        o.put("code_bytes", s.codeBytes());
        o.put("model_params", s.modelParams());
        o.put("stop_step", s.stopStep());
        o.put("train_time_ms", s.trainTimeMs());
        o.put("peak_mem_mib", s.peakMemMib());
        if (s.lastValStep() == null) o.putNull("last_val");
        else o.putObject("last_val").put("step", s.lastValStep()).put("val_bpb", s.lastValBpb());
        if (!s.warnings().isEmpty()) s.warnings().forEach(o.putArray("warnings")::add);
        return o;
    }

    private static void print(LogSummary s) {
        System.out.println(s.file());
        if (s.score() == null) System.out.println(s.finals().isEmpty() ? "  score: none (no final metric line in the log)"
                : "  score: none (no final metric line with a usable val_bpb; see the warnings)");
        else System.out.printf(Locale.ROOT, "  score: %s val_bpb %.8f val_loss %.8f (run %d of %d)%n", s.score().name(), s.score().valBpb(), s.score().valLoss(), s.runs(), s.runs());
        for (FinalMetric f : new TreeMap<>(s.finals()).values())
            System.out.printf(Locale.ROOT, "  final %-40s val_bpb %.8f val_loss %.8f%n", f.name(), f.valBpb(), f.valLoss());
        System.out.println("  artifact bytes: " + orDash(s.artifactBytes()) + "   code bytes: " + orDash(s.codeBytes())
                + "   model params: " + orDash(s.modelParams()));
        System.out.println("  stop step: " + orDash(s.stopStep()) + "   train time ms: " + orDash(s.trainTimeMs())
                + "   peak memory MiB: " + orDash(s.peakMemMib()));
        if (s.lastValStep() != null) System.out.printf(Locale.ROOT, "  last periodic val: step %d val_bpb %.4f%n", s.lastValStep(), s.lastValBpb());
        s.warnings().forEach(w -> System.out.println("  warning: " + w));
    }

    private static String orDash(Object o) { return o == null ? "-" : o.toString(); }
}
