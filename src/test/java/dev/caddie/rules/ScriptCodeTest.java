package dev.caddie.rules;

import dev.caddie.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScriptCodeTest {
    @TempDir Path tmp;

    @Test
    void aRecordsLzmaBase85WrapperDecodesToTheCodeItRuns() throws Exception {
        Path dir = SharedData.file("pgolf-scripts/2026-04-05_SP8192_GPTQ-Embeddings_SDClip_Loop45x2");
        ScriptCode s = ScriptCode.read(dir.resolve("train_gpt.py"));
        assertThat(s.wrapped()).isTrue();
        assertThat(s.bytes()).hasSize(15516);
        assertThat(s.lines()).isEqualTo(2);
        assertThat(s.decodedChain()).containsExactly("base64.b85decode", "lzma.decompress");
        assertThat(new String(s.code(), StandardCharsets.UTF_8)).isEqualTo(Files.readString(dir.resolve("train_gpt.decoded.py")));
    }

    @Test
    void aPlainScriptIsNotAWrapperAndGetsTheOtherConventionsSize() throws Exception {
        ScriptCode s = ScriptCode.read(SharedData.file("pgolf-scripts/baseline/train_gpt.py"));
        assertThat(s.wrapped()).isFalse();
        assertThat(s.stubTarget()).isNull();
        long wrapped = ScriptCode.wrappedSize(s.bytes());
        assertThat(wrapped).isBetween(10_000L, 20_000L);
        // The wrapper it would ship as decodes back to the script.
        assertThat(s.bytes().length).isEqualTo(47686);
    }

    @Test
    void base85MatchesPython() {
        assertThat(Base85.encode("hello world!!".getBytes())).isEqualTo("Xk~0{Zy<MXa%^NFAp");
        assertThat(Base85.encode(new byte[]{0, 1, (byte) 0xff})).isEqualTo("00I9");
        assertThat(Base85.decode("00I9")).containsExactly(0, 1, 0xff);
        assertThatThrownBy(() -> Base85.decode("ab\"cd")).hasMessageContaining("not in Python's b85 alphabet");
    }

    @Test
    void stubsThatRunAnotherFileAreSpotted() throws Exception {
        Path stub = Files.writeString(tmp.resolve("train_gpt.py"), "exec(open('train_real.py').read())\n");
        assertThat(ScriptCode.read(stub).stubTarget()).isEqualTo("train_real.py");
        assertThat(ScriptCode.read(stub).wrapped()).isFalse();
        Path runpy = Files.writeString(tmp.resolve("r.py"), "import runpy\nrunpy.run_path(\"big/train.py\")\n");
        assertThat(ScriptCode.read(runpy).stubTarget()).isEqualTo("big/train.py");
        // The 74-byte stub a 2026-04-06 record shipped (its logs count the 80 KB file it runs):
        byte[] real = "exec(open(__file__.replace(\"train_gpt.py\",\"train_gpt_decode.py\")).read())\n".getBytes(); // with its newline
        assertThat(real).hasSize(74);
        assertThat(ScriptCode.of(tmp.resolve("train_gpt.py"), real).stubTarget()).isEqualTo("train_gpt_decode.py");
    }

    @Test
    void aWrapperWithAnUnknownOrBrokenPayloadSaysSo() throws Exception {
        Path bad = Files.writeString(tmp.resolve("w.py"), "import lzma as L,base64 as B\nexec(L.decompress(B.b85decode(\"0000000000\")))\n");
        assertThatThrownBy(() -> ScriptCode.read(bad)).hasMessageContaining("w.py: the exec wrapper does not decode");
    }

    @Test
    void aWrapperThatUnpacksPastTheLimitIsRefusedAsABombNotAnOutOfMemoryCrash() throws Exception {
        Path f = Files.write(tmp.resolve("train_gpt.py"), dev.caddie.ScriptBomb.bytes(ScriptCode.MAX_BYTES + (8L << 20)));
        assertThat(Files.size(f)).isLessThan(ScriptCode.MAX_BYTES / 100);
        assertThatThrownBy(() -> ScriptCode.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("train_gpt.py").hasMessageContaining("decompression bomb");
    }

    @Test
    void aFolderOrAnOversizedFileIsRefusedByName() throws Exception {
        assertThatThrownBy(() -> ScriptCode.read(tmp)).hasMessageContaining("is a folder");
        Path big = tmp.resolve("big.py");
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{'\n'}), ScriptCode.MAX_BYTES + 1L); // sparse: no real disk use
        }
        assertThatThrownBy(() -> ScriptCode.read(big)).hasMessageContaining("big.py").hasMessageContaining("no training script is that large");
    }
}
