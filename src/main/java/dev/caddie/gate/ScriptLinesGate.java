package dev.caddie.gate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The training script must stay within the line limit (1,500 in Parameter Golf). */
public final class ScriptLinesGate implements Gate {
    @Override
    public String name() { return "script-lines"; }

    @Override
    public GateResult check(CandidateChange c) throws IOException {
        Path script = c.worktree().resolve(c.task().script());
        if (!Files.exists(script)) return GateResult.fail(name(), c.task().script() + " does not exist in the candidate");
        long lines;
        try (var s = Files.lines(script, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            lines = s.count();
        }
        int limit = c.task().limits().scriptLines();
        return lines <= limit ? GateResult.pass(name(), c.task().script() + " has " + lines + " lines (limit " + limit + ")")
                : GateResult.fail(name(), c.task().script() + " has " + lines + " lines, over the limit of " + limit);
    }
}
