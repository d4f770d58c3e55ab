package dev.caddie.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Static integrity analysis of a Python training script (script_lint.py under python3): where
 * validation data goes (training sinks before scoring, the artifact), training data read at
 * evaluation or for calibration after the cap, network access, non-causal attention, and a byte
 * accounting that differs from the baseline's. Lines refer to the code that runs (a wrapper's
 * decoded payload).
 */
public final class ScriptLint {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ScriptLint() {}

    /** @param baseline the challenge's baseline script, for BPB_ACCOUNTING (null skips that rule) */
    public static List<LintFinding> lint(ScriptCode script, ScriptCode baseline) throws IOException, InterruptedException {
        var payload = MAPPER.createObjectNode();
        payload.put("source", new String(script.code(), java.nio.charset.StandardCharsets.UTF_8));
        if (baseline != null) payload.put("baseline", new String(baseline.code(), java.nio.charset.StandardCharsets.UTF_8));
        JsonNode j = PythonHelper.run("script_lint.py", MAPPER.writeValueAsBytes(payload), script.file().toString());
        if (j.has("error")) throw new IllegalArgumentException(script.file() + ": not valid Python, " + j.get("error").asText().replace("line None: ", "")
                + (script.wrapped() ? " (in the code its exec wrapper decodes to)" : ""));
        List<LintFinding> out = new ArrayList<>();
        for (JsonNode f : j.get("findings")) {
            List<LintFinding.Step> chain = new ArrayList<>();
            f.get("chain").forEach(c -> chain.add(new LintFinding.Step(c.get("line").asInt(), c.get("via").asText())));
            out.add(new LintFinding(f.get("rule").asText(), f.get("severity").asText(), f.get("line").asInt(), chain, f.get("message").asText()));
        }
        return out;
    }
}
