package dev.caddie.frontier;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One program whatever its layout: what a reviewer calls "the baseline again" is found without a Python process. */
class ScriptFingerprintTest {
    private static final String ORIGINAL = """
            import os
            def lr(step, total):
                \"\"\"Linear warmdown.\"\"\"
                return 0.04 * (1 - step / total)  # the schedule

            class Hyperparameters:
                num_layers = int(os.environ.get("NUM_LAYERS", 9))
                name = 'base # not a comment'
            print(lr(1, 10), Hyperparameters.num_layers)
            """;

    private static List<String> tokens(String code) { return ScriptFingerprint.tokens(code.getBytes(StandardCharsets.UTF_8)); }

    @Test
    void commentsDocstringsAndLayoutDoNotMakeAnotherProgram() {
        String reformatted = """
                # a copy, reformatted
                import os


                def lr(step,
                       total):
                  '''Another docstring entirely.'''
                  return 0.04*(1-step/total)
                class Hyperparameters:
                  num_layers = int(os.environ.get(
                      "NUM_LAYERS", 9))  # layers
                  name = 'base # not a comment'
                print(lr(1, 10), \\
                      Hyperparameters.num_layers)
                """;
        assertThat(tokens(reformatted)).isEqualTo(tokens(ORIGINAL));
        assertThat(ScriptFingerprint.of(reformatted.getBytes(StandardCharsets.UTF_8))).isEqualTo(ScriptFingerprint.of(ORIGINAL.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aChangedConstantStringOrStatementIsAnotherProgram() {
        assertThat(tokens(ORIGINAL.replace("0.04", "0.05"))).isNotEqualTo(tokens(ORIGINAL));
        assertThat(tokens(ORIGINAL.replace("'base # not a comment'", "'base'"))).isNotEqualTo(tokens(ORIGINAL));
        assertThat(tokens(ORIGINAL.replace("print(lr(1, 10), Hyperparameters.num_layers)", "print(lr(1, 10))\nprint(Hyperparameters.num_layers)")))
                .isNotEqualTo(tokens(ORIGINAL));
        assertThat(tokens(ORIGINAL)).contains("'base # not a comment'", "\"NUM_LAYERS\"").doesNotContain("\"\"\"Linear warmdown.\"\"\"");
    }
}
