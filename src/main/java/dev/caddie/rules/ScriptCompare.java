package dev.caddie.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a script differs from a baseline in anything but comments, docstrings, whitespace and
 * formatting, and what changed function by function. Both sides are parsed by CPython's own
 * {@code ast} (through python3, present wherever train_gpt.py runs) and compared as normalised
 * source, so a resubmitted baseline with its comments reworded shows as no change at all.
 */
public final class ScriptCompare {
    /** One function or class: added, removed or changed (with diff line counts of its normalised source). */
    public record DefChange(String name, String kind, String change, int line, int added, int removed) {}

    /** @param moduleAdded module-level statements (hyperparameters, constants, the main call) only in the script */
    public record Result(boolean sameCode, List<DefChange> defs, List<String> moduleAdded, List<String> moduleRemoved, int defsCompared) {}

    private ScriptCompare() {}

    public static Result compare(ScriptCode script, ScriptCode baseline) throws IOException, InterruptedException {
        JsonNode a = shape(script), b = shape(baseline);
        Map<String, JsonNode> mine = defs(a), theirs = defs(b);
        List<DefChange> changes = new ArrayList<>();
        for (var e : mine.entrySet()) {
            JsonNode other = theirs.get(e.getKey());
            JsonNode d = e.getValue();
            if (other == null) {
                changes.add(new DefChange(e.getKey(), d.get("kind").asText(), "added", d.get("line").asInt(), lines(d).size(), 0));
            } else if (!other.get("source").asText().equals(d.get("source").asText())) {
                Patch<String> p = DiffUtils.diff(lines(other), lines(d));
                int add = 0, rem = 0;
                for (AbstractDelta<String> delta : p.getDeltas()) {
                    add += delta.getTarget().size();
                    rem += delta.getSource().size();
                }
                changes.add(new DefChange(e.getKey(), d.get("kind").asText(), "changed", d.get("line").asInt(), add, rem));
            }
        }
        for (var e : theirs.entrySet())
            if (!mine.containsKey(e.getKey()))
                changes.add(new DefChange(e.getKey(), e.getValue().get("kind").asText(), "removed", e.getValue().get("line").asInt(), 0, lines(e.getValue()).size()));
        List<String> modA = strings(a.get("module")), modB = strings(b.get("module"));
        List<String> added = new ArrayList<>(), removed = new ArrayList<>();
        for (AbstractDelta<String> d : DiffUtils.diff(modB, modA).getDeltas()) {
            added.addAll(d.getTarget().getLines());
            removed.addAll(d.getSource().getLines());
        }
        boolean same = a.get("normalized").asText().equals(b.get("normalized").asText());
        return new Result(same, changes, added, removed, mine.size());
    }

    private static Map<String, JsonNode> defs(JsonNode shape) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode d : shape.get("defs")) m.putIfAbsent(d.get("name").asText(), d);
        return m;
    }

    private static List<String> lines(JsonNode def) { return def.get("source").asText().lines().toList(); }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Runs the bundled script_shape.py on the code that runs (a wrapper's decoded payload). */
    static JsonNode shape(ScriptCode code) throws IOException, InterruptedException {
        JsonNode j = PythonHelper.run("script_shape.py", code.code(), code.file().toString());
        if (j.has("error")) throw new IllegalArgumentException(code.file() + ": not valid Python, " + j.get("error").asText().replace("line None: ", "")
                + (code.wrapped() ? " (in the code its exec wrapper decodes to)" : ""));
        return j;
    }
}
