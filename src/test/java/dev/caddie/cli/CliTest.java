package dev.caddie.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caddie.SharedData;
import dev.caddie.TestWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI as a user types it, in process, with its output captured. */
class CliTest {
    @TempDir Path tmp;

    record Out(int code, String stdout, String stderr) {}

    static synchronized Out caddie(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = CaddieCommand.execute(args);
            return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void parseJsonPrintsOneObjectPerLogWithTheDocumentedFields() throws Exception {
        Path a = SharedData.file("pgolf-logs/2026-03-17_NaiveBaseline/train.log");
        Path b = SharedData.file("pgolf-logs/2026-03-23_DGAttention_DavidGao/train.log");
        Out o = caddie("parse", "--json", a.toString(), b.toString());
        assertThat(o.code()).isZero();
        List<String> lines = o.stdout().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode j = new ObjectMapper().readTree(lines.get(0));
        assertThat(j.fieldNames()).toIterable().contains("file", "runs", "score", "finals", "artifact_bytes", "code_bytes", "model_params",
                "stop_step", "train_time_ms", "peak_mem_mib", "last_val");
        assertThat(j.get("score").get("name").asText()).isEqualTo("final_int8_zlib_roundtrip_exact");
        assertThat(j.get("score").get("val_bpb").asDouble()).isEqualTo(1.2243657);
        assertThat(j.get("artifact_bytes").asLong()).isEqualTo(15863489L);
        assertThat(j.get("last_val").get("step").asInt()).isEqualTo(13780);
        JsonNode noScore = new ObjectMapper().readTree(lines.get(1));
        assertThat(noScore.get("score").isNull()).isTrue();
    }

    @Test
    void parseSaysWhenALogIsMissingOrHasNoScore() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.log"), "");
        Path binary = Files.write(tmp.resolve("binary.log"), new byte[]{0, 1, 2, (byte) 0xff, 10, 13});
        Out o = caddie("parse", empty.toString(), binary.toString(), tmp.resolve("nope.log").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.stdout()).contains("score: none (no final metric line in the log)");
        assertThat(o.stderr()).contains("nope.log: no such file").doesNotContain("Exception");
    }

    @Test
    void initRefusesAnUnknownPresetAndRunRefusesAWorkspaceWithoutSpec() {
        Out o = caddie("init", "--preset", "golf", tmp.resolve("w").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.stderr()).contains("unknown preset 'golf'; accepted: tiny-golf, parameter-golf");
        Out r = caddie("run", "-C", tmp.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.stderr()).contains("caddie.toml: not found; run `caddie init`");
    }

    @Test
    void initParameterGolfPinsTheValidationShardsAndTokenizer() throws Exception {
        Path pg = tmp.resolve("parameter-golf");
        Files.createDirectories(pg.resolve("data/datasets/fineweb10B_sp1024"));
        Files.createDirectories(pg.resolve("data/tokenizers"));
        Files.writeString(pg.resolve("data/datasets/fineweb10B_sp1024/fineweb_val_000000.bin"), "val");
        Files.writeString(pg.resolve("data/datasets/fineweb10B_sp1024/fineweb_train_000000.bin"), "train");
        Files.writeString(pg.resolve("data/tokenizers/fineweb_1024_bpe.model"), "tok");
        Files.copy(SharedData.file("pgolf-scripts/baseline/train_gpt.py"), pg.resolve("train_gpt.py"));
        Out o = caddie("init", "--preset", "parameter-golf", pg.toString());
        assertThat(o.code()).as(o.stderr()).isZero();
        String toml = Files.readString(pg.resolve("caddie.toml"));
        assertThat(toml).contains("\"data/datasets/fineweb10B_sp1024/fineweb_val_000000.bin\" = \"")
                .contains("\"data/tokenizers/fineweb_1024_bpe.model\" = \"").doesNotContain("fineweb_train_000000");
        assertThat(caddie("init", "--preset", "parameter-golf", pg.toString()).stderr()).contains("caddie.toml already exists", "pass --force");
    }

    @Test
    void theDemoRunsThreeExperimentsAndTheLedgerExportShowsThem() throws Exception {
        Path demo = tmp.resolve("demo");
        Out o = caddie("demo", "--dir", demo.toString(), "--experiments", "3", "--tier", "micro");
        assertThat(o.code()).as(o.stdout() + o.stderr()).isZero();
        assertThat(o.stdout()).contains("Best: candidate", "val_bpb", "artifact", "Ledger: " + demo.resolve(".caddie/ledger.db"));
        Out tsv = caddie("ledger", "export", "--format", "tsv", "-C", demo.toString());
        List<String> rows = tsv.stdout().lines().toList();
        assertThat(rows).hasSize(4);
        for (String row : rows.subList(1, 4)) {
            String[] f = row.split("\t", -1);
            assertThat(Double.parseDouble(f[1])).as("val_bpb").isBetween(1.0, 9.0);
            assertThat(Long.parseLong(f[13])).as("artifact_bytes").isPositive();
        }
        Out list = caddie("ledger", "list", "-C", demo.toString());
        assertThat(list.stdout()).contains("baseline (unchanged)");
        Out show = caddie("ledger", "show", "1", "-C", demo.toString());
        assertThat(show.stdout()).contains("gate protected-files", "pass", "verdict keep");
        assertThat(caddie("ledger", "export", "--format", "xml", "-C", demo.toString()).stderr()).contains("accepted: tsv, jsonl");
        Out budget = caddie("budget", "status", "-C", demo.toString());
        assertThat(budget.code()).isZero();
        assertThat(budget.stdout()).contains("micro", "reservations held: 0", "budget $0.00", "promotion queue for official");
    }

    @Test
    void aTournamentWithoutRungsOrCheckpointsOrWithBadCheckpointsIsRefusedBeforeAnyRun() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Out none = caddie("tournament", "-C", ws.toString(), "--candidates", "4");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.stderr()).contains("give --rungs (shorter runs first), --checkpoints (halving inside each run), or both");
        Out backwards = caddie("tournament", "-C", ws.toString(), "--candidates", "4", "--checkpoints", "0.6,0.3");
        assertThat(backwards.code()).isEqualTo(2);
        assertThat(backwards.stderr()).contains("--checkpoints must be growing fractions of the budget between 0 and 1, e.g. 0.3,0.6; got [0.6, 0.3]");
        Out word = caddie("run", "-C", ws.toString(), "--checkpoints", "half");
        assertThat(word.code()).isEqualTo(2);
        assertThat(word.stderr()).contains("--checkpoints: 'half' is not a number");
        assertThat(Files.exists(ws.resolve(".caddie/ledger.db"))).isFalse();
    }

    @Test
    void aMalformedSpecStopsTheRunWithItsLine() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")).replace("timeout_seconds = 240", "timeout_seconds = -5"));
        Out o = caddie("run", "-C", ws.toString(), "--experiments", "1");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.stderr()).containsPattern("caddie: caddie.toml:\\d+: tiers.local.timeout_seconds: -5 is out of range");
        assertThat(Files.exists(ws.resolve(".caddie/ledger.db"))).isFalse();
    }
}
