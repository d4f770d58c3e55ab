package dev.caddie.agent;

import dev.caddie.Needs;
import dev.caddie.Requirement;
import dev.caddie.ScriptBomb;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.LedgerExport;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.ExperimentLoop;
import dev.caddie.loop.LoopListener;
import dev.caddie.loop.LoopOptions;
import dev.caddie.loop.Workspace;
import dev.caddie.run.Git;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.Runner;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a misbehaving agent writes or prints never ends the loop nor leaks into the record. */
@Needs(Requirement.PYTHON3) // the lint gate reads the Python baseline
class AgentGuardTest {
    @TempDir Path tmp;

    private static final String LOG = "echo 'step:1/2 train_loss:5.0'; echo 'step:2/2 train_loss:4.0'; "
            + "echo 'Serialized model int8+zlib: 1000 bytes'; echo 'final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.2'";

    /** A Parameter Golf-like workspace whose run prints a fixed log, with one agent running the given shell line. */
    private Path workspace(String agentShell) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Git.run(ws, "init", "-q");
        Files.writeString(ws.resolve("train_gpt.py"), "print('train')\n");
        Files.writeString(ws.resolve(".gitignore"), ".caddie/\n");
        Files.writeString(ws.resolve("caddie.toml"), """
                [task]
                name = "guard"
                script = "train_gpt.py"
                editable = ["train_gpt.py"]
                command = ["bash", "-c", "%s"]
                [metric]
                name = "val_bpb"
                direction = "minimize"
                [limits]
                artifact_bytes = 16000000
                script_lines = 1500
                train_seconds = 600
                [protected]
                [tiers.t]
                executor = "local"
                timeout_seconds = 60
                cost_per_hour = 0.0
                [loop]
                tier = "t"
                micro_first = false
                keep_rule = "margin"
                [agent.a]
                kind = "generic"
                command = ["bash", "-c", "%s"]
                timeout_seconds = 60
                """.formatted(LOG.replace("\"", "\\\""), agentShell.replace("\\", "\\\\").replace("\"", "\\\"")));
        Git.run(ws, "add", "-A");
        Git.run(ws, "commit", "-qm", "task");
        return ws;
    }

    private List<Experiment> run(Path ws) throws Exception {
        TaskSpec task = TaskSpecReader.read(ws);
        try (Ledger ledger = Ledger.open(new Workspace(ws).ledgerFile())) {
            AgentProposer agent = new AgentProposer(task.agent("a"), ledger, false, new Workspace(ws).caddieDir().resolve("agents"));
            return new ExperimentLoop(task, ledger, new Runner(new LocalExecutor()), agent, new LoopListener() {})
                    .run(new LoopOptions("g", 3, null, "t", 1337));
        }
    }

    @Test
    void anAgentThatWritesADecompressionBombGetsARejectedVerdictAndTheLoopGoesOn() throws Exception {
        Path bomb = Files.write(tmp.resolve("bomb.py"), ScriptBomb.bytes(80L << 20));
        Path ws = workspace("cp " + bomb + " train_gpt.py && mkdir -p .caddie && echo '{\"hypothesis\": \"pack the script\"}' > .caddie/hypothesis.json");
        List<Experiment> all = run(ws);
        assertThat(all).hasSize(3); // the baseline, then two candidates: the loop survived both
        for (Experiment e : all.subList(1, 3)) {
            assertThat(e.verdict().verdict()).isEqualTo(Verdict.REJECTED);
            assertThat(e.verdict().reason()).startsWith("lint: ").contains("decompression bomb");
        }
    }

    @Test
    void aKeyAnAgentPrintsIsRedactedInTheLedgerAndItsExport() throws Exception {
        String key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";
        Path ws = workspace("echo 'auth failed for " + key + "' >&2; exit 3");
        List<Experiment> all = run(ws);
        Experiment e = all.get(1);
        assertThat(e.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(e.verdict().reason()).contains("exited with code 3", "[redacted]").doesNotContain(key);
        StringWriter tsv = new StringWriter(), jsonl = new StringWriter();
        LedgerExport.tsv(all, tsv);
        LedgerExport.jsonl(all, jsonl);
        assertThat(tsv.toString() + jsonl).doesNotContain(key);
        try (var files = Files.walk(new Workspace(ws).caddieDir().resolve("agents"))) {
            List<Path> transcripts = files.filter(Files::isRegularFile).toList();
            assertThat(transcripts).isNotEmpty();
            for (Path t : transcripts) assertThat(Files.readString(t)).doesNotContain(key).contains("[redacted]");
        }
    }
}
