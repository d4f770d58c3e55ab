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
        "Exec wrappers are decoded first (lines refer to the decoded code). Exit 1 when any violation is found,",
        "2 when a script cannot be read (the others are still reported)."})
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
        int unreadable = 0, flagged = 0;
        for (Path p : scripts) {
            ScriptCode code;
            List<LintFinding> findings;
            // One file that cannot be read must not hide the verdicts on the others: it is reported and the batch goes on.
            try {
                code = ScriptCode.read(p);
                findings = ScriptLint.lint(code, base);
            } catch (IllegalArgumentException | IllegalStateException e) {
                unreadable++;
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (json) System.out.println(m.writeValueAsString(m.createObjectNode().put("file", p.toString()).put("error", why)));
                else System.err.println("caddie: " + (why.startsWith(p.toString()) ? "" : p + ": ") + why);
                continue;
            }
            boolean v = findings.stream().anyMatch(LintFinding::violation);
            violation |= v;
            if (v) flagged++;
            if (json) {
                var o = m.createObjectNode();
                o.put("file", p.toString()).put("wrapped", code.wrapped());
                if (code.wrapped()) {
                    o.put("wrapper", code.chainDescription().orElse(""));
                    o.put("bytes", code.bytes().length).put("decoded_bytes", code.decoded().length);
                }
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
                if (code.wrapped())
                    System.out.printf(Locale.ROOT, "note: %s is a wrapper, %s: %,d bytes decode to %,d bytes of code; lines below are the decoded code's%n",
                            p, code.chainDescription().orElse("exec(...)"), code.bytes().length, code.decoded().length);
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
        if (!json && scripts.size() > 1)
            System.out.printf(Locale.ROOT, "%d scripts: %d read, %d with violations, %d unreadable%n", scripts.size(), scripts.size() - unreadable, flagged, unreadable);
        // 2 when a script could not be judged at all: "no violation" would be a claim about files nobody read.
        if (unreadable > 0) return 2;
        return violation ? 1 : 0;
    }
}
