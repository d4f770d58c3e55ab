package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.caddie.rules.LintFinding;
import dev.caddie.rules.ScriptCode;
import dev.caddie.rules.ScriptLint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "lint", description = {"Integrity analysis of training scripts: leakage and rule-breaking code, each finding with its rule and line.",
        "Validation data trained on before it is scored or stored in the artifact, training data read at evaluation,",
        "calibration after the cap, network access, causality leaks, byte accounting.",
        "Exec wrappers are decoded first (lines refer to the decoded code). Exit 1 when any violation is found."})
final class LintCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SCRIPT")
    List<Path> scripts;
    @Option(names = "--baseline", paramLabel = "SCRIPT", description = "the challenge's baseline train_gpt.py, to compare the byte accounting with (BPB_ACCOUNTING)")
    Path baseline;
    @Option(names = "--json", description = "one JSON object per script, one per line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ScriptCode base = baseline == null ? null : ScriptCode.read(baseline);
        ObjectMapper m = new ObjectMapper();
        boolean violation = false;
        for (Path p : scripts) {
            ScriptCode code = ScriptCode.read(p);
            List<LintFinding> findings = ScriptLint.lint(code, base);
            violation |= findings.stream().anyMatch(LintFinding::violation);
            if (json) {
                var o = m.createObjectNode();
                o.put("file", p.toString()).put("wrapped", code.wrapped());
                if (code.stubTarget() != null) o.put("runs_code_from", code.stubTarget());
                ArrayNode arr = o.putArray("findings");
                for (LintFinding f : findings) {
                    var x = arr.addObject().put("rule", f.rule()).put("severity", f.severity()).put("line", f.line()).put("message", f.message());
                    var c = x.putArray("chain");
                    f.chain().forEach(s -> c.addObject().put("line", s.line()).put("via", s.via()));
                }
                System.out.println(m.writeValueAsString(o));
            } else {
                String where = p + (code.wrapped() ? " (decoded)" : "");
                if (code.bytes().length == 0) System.out.println("note: " + p + " is empty: there is nothing to lint");
                else if (!p.getFileName().toString().endsWith(".py")) System.out.println("note: " + p + " does not end in .py; it was read as Python");
                if (findings.isEmpty()) System.out.println(where + ": clean" + (base == null ? " (BPB_ACCOUNTING not checked: no --baseline)" : ""));
                // A stub's own lines are clean by construction; what it runs is where the rules apply.
                if (code.stubTarget() != null)
                    System.out.println("note: " + p + " runs code from " + code.stubTarget() + ", which this lint does not see: lint that file too "
                            + "(and `caddie check artifact` counts its bytes)");
                for (LintFinding f : findings) {
                    System.out.printf(Locale.ROOT, "%s:%d: %s %s: %s%n", where, f.line(), f.severity(), f.rule(), f.message());
                    if (f.chain().size() > 1)
                        System.out.println("    chain: " + f.chain().stream().map(s -> s.line() + " " + s.via()).collect(Collectors.joining(" -> ")));
                }
            }
        }
        return violation ? 1 : 0;
    }
}
