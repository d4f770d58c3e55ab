package dev.caddie.gate;

import dev.caddie.rules.LintFinding;
import dev.caddie.rules.ScriptCode;
import dev.caddie.rules.ScriptLint;
import dev.caddie.run.Git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * `caddie lint` as a gate: a Python training script with an integrity violation (validation data
 * trained on before scoring, stored in the artifact, train data at eval, ...) is rejected before any
 * compute; review findings pass and are kept in the gate's reason, which the ledger stores. The byte
 * accounting is compared with the script the workspace started from (its root commit).
 */
public final class IntegrityLintGate implements Gate {
    public static final String NAME = "lint";

    @Override
    public String name() { return NAME; }

    @Override
    public GateResult check(CandidateChange c) throws IOException {
        String script = c.task().script();
        if (!script.endsWith(".py")) return GateResult.pass(NAME, script + " is not Python: nothing to lint");
        Path file = c.worktree().resolve(script);
        if (!Files.isRegularFile(file)) return GateResult.fail(NAME, script + " does not exist in the candidate");
        List<LintFinding> findings;
        try {
            findings = ScriptLint.lint(ScriptCode.read(file), baseline(c));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return GateResult.fail(NAME, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return GateResult.fail(NAME, "interrupted while linting");
        }
        String text = findings.stream().map(f -> script + ":" + f.line() + ": " + f.severity() + " " + f.rule() + ": " + f.message()).collect(Collectors.joining("; "));
        if (findings.stream().anyMatch(LintFinding::violation)) return GateResult.fail(NAME, text);
        return GateResult.pass(NAME, findings.isEmpty() ? script + ": clean" : "passes with findings for review: " + text);
    }

    /** The script as the workspace's first commit had it, or null when that commit has none. */
    private static ScriptCode baseline(CandidateChange c) {
        try {
            String root = Git.run(c.worktree(), "rev-list", "--max-parents=0", "HEAD").lines().reduce((a, b) -> b).orElse("").strip();
            if (root.isEmpty()) return null;
            String text = Git.run(c.worktree(), "show", root + ":" + c.task().script());
            return ScriptCode.of(Path.of("baseline:" + c.task().script()), text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
