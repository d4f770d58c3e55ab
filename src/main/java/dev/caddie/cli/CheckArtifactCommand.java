package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.rules.ArtifactAccount;
import dev.caddie.rules.ScriptCode;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "artifact", sortOptions = false,
        description = {"The bytes the challenge counts: script + compressed model against the limit (decimal bytes).",
                "Decodes lzma/base85 exec wrappers and says which code-size convention applied and what the other gives; exit 1 when over."})
final class CheckArtifactCommand implements Callable<Integer> {
    @Option(names = "--script", paramLabel = "FILE", description = "the training script as shipped")
    Path script;
    @Option(names = "--model", paramLabel = "FILE", description = "the compressed model file")
    Path model;
    @Option(names = "--log", paramLabel = "FILE", description = "a train log (its code, model and total size lines)")
    Path log;
    @Option(names = "--limit", defaultValue = "16000000", description = "the limit in bytes (default: ${DEFAULT-VALUE})")
    long limit;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit < 1) throw new IllegalArgumentException("--limit must be a positive number of bytes (the challenge's is 16000000), got " + limit);
        if (script == null && model == null && log == null) throw new IllegalArgumentException("nothing to count: give --script, --model and/or --log");
        ScriptCode code = script == null ? null : ScriptCode.read(script);
        Long modelBytes = null;
        if (model != null) {
            if (!Files.isRegularFile(model)) throw new IllegalArgumentException(model + ": no such file");
            modelBytes = Files.size(model);
        }
        ArtifactAccount.LoggedSizes sizes = null;
        if (log != null) {
            if (!Files.isRegularFile(log)) throw new IllegalArgumentException(log + ": no such file");
            LogSummary s = new LogParser().parse(log);
            sizes = new ArtifactAccount.LoggedSizes(log.toString(), s.codeBytes(), s.modelBytes(), s.artifactBytes());
        }
        if (code != null && modelBytes == null && log == null) return scriptOnly(code);
        ArtifactAccount a = ArtifactAccount.of(code, modelBytes, sizes, limit);
        String empty = modelBytes != null && modelBytes == 0 ? model + " is empty: is it the compressed model the run wrote?" : null;
        if (json) {
            ObjectNode o = json(a, code);
            if (empty != null) ((com.fasterxml.jackson.databind.node.ArrayNode) o.withArray("findings")).add(empty);
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
        } else {
            print(a, code);
            if (empty != null) System.out.println("note: " + empty);
        }
        return a.withinLimit() ? 0 : 1;
    }

    /** Without a model the total cannot be judged, but the code's share of the limit can: what is left for the model. */
    private int scriptOnly(ScriptCode code) throws Exception {
        ArtifactAccount a = ArtifactAccount.of(code, 0L, null, limit);
        if (json) {
            ObjectNode o = json(a, code);
            o.remove(java.util.List.of("total_bytes", "headroom_bytes", "within_limit", "model_bytes", "model_source"));
            o.put("model_bytes_left", a.headroom());
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
            return 0;
        }
        System.out.printf(Locale.ROOT, "script %s: %,d bytes, %d lines%n", code.file(), code.bytes().length, code.lines());
        code.chainDescription().ifPresent(c -> System.out.printf(Locale.ROOT, "  an exec wrapper, %s: runs %,d bytes of code in %d lines%n", c, code.decoded().length, code.codeLines()));
        System.out.printf(Locale.ROOT, "code:  %,12d bytes  (%s)%n", a.codeBytes(), a.convention());
        if (a.otherConvention() != null)
            System.out.printf(Locale.ROOT, "       %,12d bytes  would count under the other convention, %s%n", a.otherCodeBytes(), a.otherConvention());
        System.out.printf(Locale.ROOT, "model: not given (--model FILE, or --log FILE of a run that prints its size): %,d bytes of the %,d limit are left for it%n",
                a.headroom(), limit);
        a.findings().forEach(f -> System.out.println("note: " + f));
        return 0;
    }

    private static void print(ArtifactAccount a, ScriptCode code) {
        if (code != null) {
            System.out.printf(Locale.ROOT, "script %s: %,d bytes, %d lines%n", code.file(), code.bytes().length, code.lines());
            code.chainDescription().ifPresent(c -> System.out.printf(Locale.ROOT, "  an exec wrapper, %s: runs %,d bytes of code in %d lines%n", c, code.decoded().length, code.codeLines()));
        }
        System.out.printf(Locale.ROOT, "code:  %,12d bytes  (%s)%n", a.codeBytes(), a.convention());
        if (a.otherConvention() != null)
            System.out.printf(Locale.ROOT, "       %,12d bytes  would count under the other convention, %s%n", a.otherCodeBytes(), a.otherConvention());
        System.out.printf(Locale.ROOT, "model: %,12d bytes  (%s)%n", a.modelBytes(), a.modelSource());
        System.out.printf(Locale.ROOT, "total: %,12d bytes  limit %,d: %s%n", a.totalBytes(), a.limit(),
                a.withinLimit() ? String.format(Locale.ROOT, "within, %,d bytes of headroom", a.headroom()) : String.format(Locale.ROOT, "OVER by %,d bytes", -a.headroom()));
        a.findings().forEach(f -> System.out.println("note: " + f));
    }

    private static ObjectNode json(ArtifactAccount a, ScriptCode code) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("total_bytes", a.totalBytes()).put("limit", a.limit()).put("headroom_bytes", a.headroom()).put("within_limit", a.withinLimit());
        o.put("code_bytes", a.codeBytes()).put("convention", a.convention()).put("model_bytes", a.modelBytes()).put("model_source", a.modelSource());
        if (a.otherConvention() != null) o.put("other_convention", a.otherConvention()).put("other_code_bytes", a.otherCodeBytes());
        if (code != null) {
            o.put("script_bytes", code.bytes().length).put("script_lines", code.lines()).put("wrapped", code.wrapped());
            if (code.wrapped()) o.put("decoded_bytes", code.decoded().length).put("decoded_lines", code.codeLines());
            if (code.stubTarget() != null) o.put("stub_runs", code.stubTarget());
        }
        if (a.logTotalBytes() != null) o.put("log_total_bytes", a.logTotalBytes());
        a.findings().forEach(o.putArray("findings")::add);
        return o;
    }
}
