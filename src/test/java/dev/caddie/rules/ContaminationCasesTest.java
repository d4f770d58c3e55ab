package dev.caddie.rules;

import dev.caddie.Needs;
import dev.caddie.Requirement;
import dev.caddie.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every labelled real script of pgolf-contamination/labels.tsv, one test each: scripts the challenge's reviewers
 * ruled invalid must carry a violation of the rule they broke; accepted records must carry none (flag-gated paths
 * are review notes at most); every script, wrapper or not, must be read.
 */
@Needs(Requirement.PYTHON3)
class ContaminationCasesTest {

    @TestFactory
    List<DynamicTest> everyLabelledScriptIsReadAndJudgedByTheRuleItBrokeOrLeftClean() throws Exception {
        Path dir = SharedData.file("pgolf-contamination");
        List<String> rows = Files.readAllLines(dir.resolve("labels.tsv"));
        assertThat(rows.get(0)).startsWith("name\tlabel\trule");
        List<DynamicTest> tests = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            if (row.isBlank()) continue;
            String[] f = row.split("\t");
            String name = f[0], label = f[1], rule = f[2];
            tests.add(DynamicTest.dynamicTest(name + " (" + label + (label.equals("invalid") ? " " + rule : "") + ")", () -> {
                List<LintFinding> findings = ScriptLint.lint(ScriptCode.read(dir.resolve(name).resolve("train_gpt.py")), null);
                List<LintFinding> violations = findings.stream().filter(LintFinding::violation).toList();
                if (label.equals("invalid"))
                    assertThat(violations).as("%s must be flagged %s; found %s", name, rule, findings).extracting(LintFinding::rule).contains(rule);
                else
                    assertThat(violations).as("%s is an accepted record", name).isEmpty();
                // "Report as review, not violation": the labelled review is there, naming the flag that turns it on.
                if (f.length > 4 && f[4].contains("REVIEW: TEMP_SCALING"))
                    assertThat(findings).anySatisfy(x -> {
                        assertThat(x.severity()).isEqualTo("review");
                        assertThat(x.message()).contains("TEMP_SCALING");
                    });
            }));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
        return tests;
    }
}
