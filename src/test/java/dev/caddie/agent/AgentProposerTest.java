package dev.caddie.agent;

import dev.caddie.TestWorkspace;
import dev.caddie.cli.CaddieProcessTestSupport;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Hypothesis;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.Workspace;
import dev.caddie.run.Git;
import dev.caddie.run.Runner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `caddie run --proposer agent:NAME` end to end on Tiny Golf with a scripted stand-in for a coding-agent
 * CLI (src/test/resources/dev/caddie/agent/stand_in_agent.py), real processes, bubblewrap and git: good
 * proposals and each way an agent can misbehave, one tag, the ledger checked after each.
 */
@dev.caddie.Needs({dev.caddie.Requirement.BWRAP, dev.caddie.Requirement.PYTHON3})
class AgentProposerTest {
    @TempDir static Path tmp;
    static Path ws;
    static String ledgerBefore;

    @BeforeAll
    static void workspaceWithAgents() throws Exception {
        ws = TestWorkspace.create(tmp.resolve("ws"));
        Path agent = Path.of(AgentProposerTest.class.getResource("stand_in_agent.py").toURI());
        Files.writeString(ws.resolve("eval_rules.txt"), "score on the whole validation split\n");
        Git.run(ws, "-c", "user.name=t", "-c", "user.email=t@t", "add", "eval_rules.txt");
        Git.run(ws, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "evaluation rules");
        String toml = Files.readString(ws.resolve("caddie.toml"))
                .replace("[protected]\n", "[protected]\n\"eval_rules.txt\" = \"" + Runner.sha256(ws.resolve("eval_rules.txt")) + "\"\n");
        StringBuilder agents = new StringBuilder(toml);
        for (String mode : List.of("good", "protected", "escape", "crash", "hang", "nohypothesis")) {
            agents.append("\n[agent.").append(mode).append("]\nkind = \"generic\"\ncommand = [\"python3\", \"").append(agent).append("\"]\n")
                    .append("timeout_seconds = ").append(mode.equals("hang") ? 3 : 60).append("\n")
                    .append("env = { AGENT_MODE = \"").append(mode).append("\", STAND_IN_WORKSPACE = \"").append(ws).append("\" }\n");
        }
        Files.writeString(ws.resolve("caddie.toml"), agents.toString());
        ledgerBefore = Files.readString(ws.resolve("train.java"));
    }

    private static String caddie(String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Process p = CaddieProcessTestSupport.caddie(ws, out, args);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("caddie finished").isTrue();
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    private static Experiment last(Ledger l) {
        List<Experiment> all = l.experiments("ag");
        return all.get(all.size() - 1);
    }

    @Test
    void anAgentDrivesTheLoopAndItsHypothesesStandBesideTheirOutcomes() throws Exception {
        caddie("run", "--proposer", "agent:good", "--experiments", "3", "--tier", "test", "--tag", "good");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            List<Experiment> all = l.experiments("good");
            assertThat(all).hasSize(3);
            assertThat(all.get(0).candidate().proposer()).isEqualTo("baseline");
            List<Hypothesis.Outcome> hs = l.hypotheses("good");
            assertThat(hs).hasSize(2);
            for (Hypothesis.Outcome o : hs) {
                assertThat(o.hypothesis().hypothesis()).startsWith("set the matrix learning rate to");
                assertThat(o.hypothesis().predictedDelta()).isNotNull();
                assertThat(o.hypothesis().costUsd()).isEqualTo(0.0021);
                assertThat(o.experiment().candidate().proposer()).isEqualTo("agent:good");
                assertThat(o.experiment().candidate().description()).isEqualTo(o.hypothesis().hypothesis());
                assertThat(o.experiment().verdict().verdict()).isIn(Verdict.KEEP, Verdict.DISCARD);
                assertThat(Files.readString(Path.of(o.hypothesis().transcriptPath()))).contains("--- exit 0");
                // The commit holds the agent's edit and nothing of Caddie's scaffolding:
                String files = Git.run(ws, "show", "--name-only", "--format=", o.experiment().candidate().commit()).strip();
                assertThat(files).isEqualTo("train.java");
            }
        }
        String report = caddie("hypotheses", "--tag", "good");
        assertThat(report).contains("set the matrix learning rate to").contains("agent good:");
    }

    @Test
    void misbehavingAgentsAreStoppedOrRejectedWithTheReasonRecorded() throws Exception {
        caddie("run", "--proposer", "agent:good", "--experiments", "1", "--tier", "test", "--tag", "ag"); // the baseline
        // Protected file: in the sandbox the write fails; without it, the diff check rejects the candidate.
        caddie("run", "--proposer", "agent:protected", "--experiments", "1", "--tier", "test", "--tag", "ag", "--unsandboxed");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            Experiment e = last(l);
            assertThat(e.verdict().verdict()).isEqualTo(Verdict.REJECTED);
            assertThat(e.verdict().reason()).contains("protected-files: changes protected file(s) eval_rules.txt");
        }
        caddie("run", "--proposer", "agent:protected", "--experiments", "1", "--tier", "test", "--tag", "ag");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            Experiment e = last(l);
            assertThat(Git.run(ws, "show", "--name-only", "--format=", e.candidate().commit()).strip()).isEqualTo("train.java");
            Hypothesis h = l.hypotheses("ag").get(l.hypotheses("ag").size() - 1).hypothesis();
            assertThat(Files.readString(Path.of(h.transcriptPath()))).contains("could not write eval_rules.txt").contains("Read-only file system");
        }
        // Writing outside the worktree or into the ledger goes nowhere:
        caddie("run", "--proposer", "agent:escape", "--experiments", "1", "--tier", "test", "--tag", "ag");
        assertThat(Files.readString(ws.resolve("train.java"))).isEqualTo(ledgerBefore);
        byte[] db = Files.readAllBytes(new Workspace(ws).ledgerFile());
        assertThat(new String(db, StandardCharsets.ISO_8859_1)).doesNotContain("the agent was here");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            Hypothesis h = l.hypotheses("ag").get(l.hypotheses("ag").size() - 1).hypothesis();
            assertThat(Files.readString(Path.of(h.transcriptPath()))).contains("could not write the workspace's train.java");
        }
        // A crash, a hang and a missing hypothesis are rejected candidates with the reason, and the loop goes on:
        caddie("run", "--proposer", "agent:crash", "--experiments", "1", "--tier", "test", "--tag", "ag");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            assertThat(last(l).verdict().reason()).contains("apply: agent crash exited with code 3: RuntimeError: the model API refused");
        }
        long t0 = System.nanoTime();
        caddie("run", "--proposer", "agent:hang", "--experiments", "1", "--tier", "test", "--tag", "ag");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(60);
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            assertThat(last(l).verdict().reason()).contains("agent hang did not finish within 3 s and was killed");
        }
        caddie("run", "--proposer", "agent:nohypothesis", "--experiments", "1", "--tier", "test", "--tag", "ag");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            assertThat(last(l).verdict().reason()).contains("wrote no .caddie/hypothesis.json");
        }
    }

    @Test
    void theSupervisorRunsTheExperimentRoleAsAChildCaddie() throws Exception {
        String out = caddie("supervise", "--agent", "good", "--experiments", "2", "--tier", "test", "--tag", "sup");
        assertThat(out).contains("role experiment: started (attempt 1 of 5").contains("role experiment: done");
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            assertThat(l.experiments("sup")).hasSize(2);
            assertThat(l.hypotheses("sup")).hasSize(1);
            assertThat(l.roles()).singleElement().satisfies(r -> assertThat(r.state()).isEqualTo(Supervisor.DONE));
        }
        assertThat(Files.readString(ws.resolve(".caddie/roles/experiment.log"))).contains("tag sup");
    }
}
