package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.rules.ScriptCode;
import dev.caddie.rules.ScriptCompare;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "compare", description = {"Does a script really differ from a baseline, beyond comments, docstrings and formatting? What changed, function by function.",
        "Exec wrappers are decoded first. Exit 0 when the code differs, 1 when it is the baseline again."})
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCRIPT")
    Path script;
    @Option(names = "--baseline", required = true, paramLabel = "SCRIPT", description = "the script it claims to improve on")
    Path baseline;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ScriptCompare.Result r = ScriptCompare.compare(ScriptCode.read(script), ScriptCode.read(baseline));
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode o = m.createObjectNode();
            o.put("same_code", r.sameCode());
            var defs = o.putArray("defs");
            r.defs().forEach(d -> defs.addObject().put("name", d.name()).put("kind", d.kind()).put("change", d.change()).put("line", d.line())
                    .put("lines_added", d.added()).put("lines_removed", d.removed()));
            r.moduleAdded().forEach(o.putArray("module_added")::add);
            r.moduleRemoved().forEach(o.putArray("module_removed")::add);
            System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(o));
        } else if (r.sameCode()) {
            System.out.printf(Locale.ROOT, "%s is %s again: no difference but comments, docstrings, whitespace and formatting (%d functions and classes compared)%n",
                    script, baseline, r.defsCompared());
        } else {
            System.out.printf(Locale.ROOT, "%s differs from %s in code:%n", script, baseline);
            for (ScriptCompare.DefChange d : r.defs())
                System.out.printf(Locale.ROOT, "  %-8s %-40s (%s, line %d)%s%n", d.change(), d.name(), d.kind().replace("Def", "").toLowerCase(Locale.ROOT), d.line(),
                        d.change().equals("changed") ? String.format(Locale.ROOT, ": +%d -%d lines", d.added(), d.removed()) : "");
            if (!r.moduleAdded().isEmpty() || !r.moduleRemoved().isEmpty()) {
                System.out.println("  module level:");
                r.moduleRemoved().stream().limit(20).forEach(l -> System.out.println("    - " + firstLine(l)));
                r.moduleAdded().stream().limit(20).forEach(l -> System.out.println("    + " + firstLine(l)));
            }
        }
        return r.sameCode() ? 1 : 0;
    }

    private static String firstLine(String s) {
        String f = s.lines().findFirst().orElse("");
        return f.length() > 160 ? f.substring(0, 157) + "..." : f;
    }
}
