package dev.caddie.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.ledger.Hypothesis;
import dev.caddie.search.Proposal;
import dev.caddie.task.AgentSpec;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A candidate's change made by a coding agent in the candidate's own worktree: Caddie writes the
 * decision state there, runs the agent (sandboxed, with a timeout), reads the hypothesis it must leave
 * in .caddie/hypothesis.json, and removes .caddie before committing. What it changed then goes through
 * the normal gates (editable and protected files, lint, line limit); the agent never records a result.
 */
public final class AgentEdit implements Proposal.Edit {
    public static final String STATE_FILE = ".caddie/decision.md";
    public static final String HYPOTHESIS_FILE = ".caddie/hypothesis.json";

    private final TaskSpec task;
    private final AgentSpec spec;
    private final AgentRunner runner;
    private final String state;
    private final Path transcripts;
    private Hypothesis hypothesis;
    private String description;

    AgentEdit(TaskSpec task, AgentSpec spec, AgentRunner runner, String state, Path transcripts) {
        this.task = task;
        this.spec = spec;
        this.runner = runner;
        this.state = state;
        this.transcripts = transcripts;
    }

    @Override
    public void apply(Path worktree) throws IOException {
        Path dot = worktree.resolve(".caddie");
        Files.createDirectories(dot);
        Files.writeString(worktree.resolve(STATE_FILE), state, StandardCharsets.UTF_8);
        Path transcript = transcripts.resolve(worktree.getFileName() + "-" + spec.name() + ".txt");
        AgentRunner.Result r;
        try {
            r = runner.run(spec, worktree, task.workspace(), DecisionState.prompt(state, task.editable()), task.editable(),
                    new ArrayList<>(task.protectedFiles().keySet()), transcript);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("agent " + spec.name() + " was interrupted");
        }
        try {
            if (r.timedOut()) throw new IOException("agent " + spec.name() + " did not finish within " + spec.timeoutSeconds() + " s and was killed (transcript " + transcript + ")");
            if (r.exitCode() != 0)
                throw new IOException("agent " + spec.name() + " exited with code " + r.exitCode() + ": " + lastLine(r.stderr().isBlank() ? r.stdout() : r.stderr())
                        + " (transcript " + transcript + ")");
            Path h = worktree.resolve(HYPOTHESIS_FILE);
            if (!Files.isRegularFile(h)) throw new IOException("agent " + spec.name() + " wrote no " + HYPOTHESIS_FILE + " (transcript " + transcript + ")");
            hypothesis = read(h, r, transcript);
            description = hypothesis.hypothesis();
        } finally {
            delete(dot); // the decision state and the hypothesis file are Caddie's, not part of the candidate
        }
    }

    private Hypothesis read(Path file, AgentRunner.Result r, Path transcript) throws IOException {
        JsonNode j;
        try {
            j = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(HYPOTHESIS_FILE + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (j == null || !j.isObject() || !j.hasNonNull("hypothesis") || j.get("hypothesis").asText().isBlank())
            throw new IOException(HYPOTHESIS_FILE + ": needs a non-empty \"hypothesis\" (and predicted_delta, basis, risk)");
        Double delta = null;
        if (j.has("predicted_delta") && !j.get("predicted_delta").isNull()) {
            if (!j.get("predicted_delta").isNumber()) throw new IOException(HYPOTHESIS_FILE + ": predicted_delta must be a number in the metric's units, got " + j.get("predicted_delta"));
            delta = j.get("predicted_delta").asDouble();
        }
        return new Hypothesis(spec.name(), j.get("hypothesis").asText().strip(), delta, text(j, "basis"), text(j, "risk"),
                r.usage().inputTokens(), r.usage().outputTokens(), r.usage().costUsd(), transcript.toString());
    }

    private static String text(JsonNode j, String f) { return j.hasNonNull(f) ? j.get(f).asText() : null; }

    private static String lastLine(String s) {
        List<String> lines = s.strip().lines().toList();
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** The agent's one-line hypothesis, once applied. */
    public String description() { return description; }

    public Hypothesis hypothesis() { return hypothesis; }

    @Override
    public String toString() { return String.format(Locale.ROOT, "agent %s edit", spec.name()); }
}
