package dev.caddie.gate;

import dev.caddie.SharedData;
import dev.caddie.rules.ScriptCode;
import dev.caddie.run.LogParser;
import dev.caddie.run.LogSummary;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ArtifactLimitGateTest {
    private static LogSummary log(String rel) throws java.io.IOException { return new LogParser().parse(SharedData.file(rel)); }

    @Test
    void aWrappedRecordPassesCountedByItsShippedBytes() throws Exception {
        ScriptCode s = ScriptCode.read(SharedData.file("pgolf-scripts/2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_gpt.py"));
        GateResult r = ArtifactLimitGate.check(log("pgolf-logs/2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_seed0.log"), s, 16_000_000);
        assertThat(r.passed()).isTrue();
        assertThat(r.reason()).contains("compressed script");
    }

    @Test
    void aStubFailsEvenWhenTheLogsTotalWouldPass() throws Exception {
        ScriptCode stub = ScriptCode.of(Path.of("train_gpt.py"), "exec(open('train_real.py').read())\n".getBytes());
        GateResult r = ArtifactLimitGate.check(log("pgolf-logs/2026-03-17_NaiveBaseline/train.log"), stub, 16_000_000);
        assertThat(r.passed()).isFalse();
        assertThat(r.reason()).contains("runs train_real.py");
    }

    @Test
    void withoutTheLogsPartsTheTotalLineDecides() throws Exception {
        ScriptCode s = ScriptCode.of(Path.of("t.py"), "print(1)\n".getBytes());
        LogSummary l = log("pgolf-logs/2026-03-17_NaiveBaseline/train.log");
        assertThat(ArtifactLimitGate.check(l, s, 15_000_000).passed()).isFalse();
    }
}
