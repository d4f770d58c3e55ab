package dev.caddie.rules;

import dev.caddie.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactAccountTest {
    @TempDir Path tmp;

    @Test
    void aWrappedRecordIsCountedByItsShippedBytesAndTheRawFigureIsGivenBeside() throws Exception {
        ScriptCode s = ScriptCode.read(SharedData.file("pgolf-scripts/2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_gpt.py"));
        ArtifactAccount a = ArtifactAccount.of(s, null, new ArtifactAccount.LoggedSizes("log", 16719L, 15974299L, 15991018L), ArtifactAccount.LIMIT);
        assertThat(a.convention()).isEqualTo(ArtifactAccount.COMPRESSED);
        assertThat(a.codeBytes()).isEqualTo(16719);
        assertThat(a.otherCodeBytes()).isEqualTo(48745);
        assertThat(a.totalBytes()).isEqualTo(15991018);
        assertThat(a.withinLimit()).isTrue();
        assertThat(a.findings()).anyMatch(f -> f.contains("decoded code is 48,745 bytes, larger than the 16,719 the log counted"));
    }

    @Test
    void aStubWhoseLogCountedMoreCodeIsJudgedByTheLogAndIsOver() throws Exception {
        ScriptCode stub = ScriptCode.of(tmp.resolve("train_gpt.py"), "exec(open('train_real.py').read())\n".getBytes());
        ArtifactAccount a = ArtifactAccount.of(stub, null, new ArtifactAccount.LoggedSizes("log", 80055L, 15978439L, 16058494L), ArtifactAccount.LIMIT);
        assertThat(a.codeBytes()).isEqualTo(80055);
        assertThat(a.totalBytes()).isEqualTo(16058494);
        assertThat(a.withinLimit()).isFalse();
        assertThat(a.findings()).anyMatch(f -> f.contains("runs code from train_real.py"));
    }

    @Test
    void aLogWithoutASizeLineIsRefusedWithWhatToPass() {
        assertThatThrownBy(() -> ArtifactAccount.of(null, null, new ArtifactAccount.LoggedSizes("x.log", 1000L, null, null), ArtifactAccount.LIMIT))
                .hasMessageContaining("x.log: the log has no size line").hasMessageContaining("--model FILE");
        assertThatThrownBy(() -> ArtifactAccount.of(null, 10L, null, ArtifactAccount.LIMIT)).hasMessageContaining("--script FILE");
    }

    @Test
    void aModelFileAndAPlainScriptAddUp() throws Exception {
        Path script = Files.writeString(tmp.resolve("train_gpt.py"), "print('hi')\n");
        ArtifactAccount a = ArtifactAccount.of(ScriptCode.read(script), 15_999_988L, null, ArtifactAccount.LIMIT);
        assertThat(a.codeBytes()).isEqualTo(12);
        assertThat(a.totalBytes()).isEqualTo(16_000_000L);
        assertThat(a.withinLimit()).isTrue(); // the limit is inclusive
        assertThat(ArtifactAccount.of(ScriptCode.read(script), 15_999_989L, null, ArtifactAccount.LIMIT).withinLimit()).isFalse();
    }
}
