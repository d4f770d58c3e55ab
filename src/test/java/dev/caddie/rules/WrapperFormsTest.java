package dev.caddie.rules;

import dev.caddie.Needs;
import dev.caddie.Requirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exec wrappers seen on accepted records that a one-literal reader cannot follow, each encoded here by
 * Python's own lzma/zlib/bz2/base64 (so the bytes are what a competitor's packer writes), and read back to the
 * exact code they run. Refusals name what the payload used; nothing is ever executed.
 */
@Needs(Requirement.PYTHON3)
class WrapperFormsTest {
    static final String CODE = "import os\n\ndef main():\n    print('val_bpb', 1.2)\n\nif __name__ == '__main__':\n    main()\n";
    @TempDir Path tmp;

    /** Writes the wrapper that the Python expression {@code make} (given CODE as bytes {@code c}) returns. */
    private Path wrapper(String name, String make) throws Exception {
        Path out = tmp.resolve(name);
        String py = "import base64, binascii, bz2, lzma, zlib, sys\nc = sys.stdin.buffer.read()\nw = " + make
                + "\nopen(sys.argv[1], 'w').write(w)\n";
        Process p = new ProcessBuilder("python3", "-c", py, out.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(CODE.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        return out;
    }

    private static String decoded(Path p) throws Exception {
        ScriptCode s = ScriptCode.read(p);
        assertThat(s.wrapped()).as(p.toString()).isTrue();
        return new String(s.code(), StandardCharsets.UTF_8);
    }

    @Test
    void aRawLzma2PayloadSplitOverManyLiteralsDecodes() throws Exception {
        Path p = wrapper("split.py", """
                (lambda b: 'import lzma as L,base64 as B\\nexec(L.decompress(B.b85decode(' + '\\n'.join(repr(b[i:i+40]) for i in range(0, len(b), 40))
                 + '),format=L.FORMAT_RAW,filters=[{"id":L.FILTER_LZMA2}]))\\n')(base64.b85encode(lzma.compress(c, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])).decode())""");
        assertThat(decoded(p)).isEqualTo(CODE);
        assertThat(ScriptCode.read(p).chainDescription()).contains("exec(lzma.decompress(base64.b85decode(...)))");
    }

    @Test
    void aPayloadBoundToANameAndAMinifiedOneLinerDecode() throws Exception {
        Path named = wrapper("named.py", "'import lzma, base64\\n_s = b\"' + base64.b85encode(lzma.compress(c)).decode() + '\"\\n_c = lzma.decompress(base64.b85decode(_s))\\nexec(_c)\\n'");
        assertThat(decoded(named)).isEqualTo(CODE);
        Path oneLine = wrapper("one.py", "'import lzma,base64;exec(lzma.decompress(base64.b64decode(\"' + base64.b64encode(lzma.compress(c, format=lzma.FORMAT_ALONE)).decode() + '\")).decode())'");
        assertThat(decoded(oneLine)).isEqualTo(CODE);
        Path joined = wrapper("joined.py", "(lambda e: 'import zlib as Z,base64 as B\\nA=\"%s\"\\nC=\"%s\"\\nexec(Z.decompress(B.b64decode(A+C)))\\n' % (e[:9], e[9:]))(base64.b64encode(zlib.compress(c)).decode())");
        assertThat(decoded(joined)).isEqualTo(CODE);
    }

    @Test
    void aPayloadWrittenToATempFileAndRunWithRunpyIsTheCodeThatRunsNotAStub() throws Exception {
        // The form of a 2026-04-22 record: decoded into a name, written to a temp folder, run as __main__.
        Path p = wrapper("runpy.py", """
                ('import lzma as L,base64 as B,tempfile,os,runpy\\n_c=L.decompress(B.b85decode("' + base64.b85encode(lzma.compress(c, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])).decode()
                 + '"),format=L.FORMAT_RAW,filters=[{"id":L.FILTER_LZMA2}])\\n_d=tempfile.mkdtemp()\\n_f=os.path.join(_d,"train_gpt.py")\\nopen(_f,"wb").write(_c)\\nrunpy.run_path(_f,run_name="__main__")\\n')""");
        ScriptCode s = ScriptCode.read(p);
        assertThat(new String(s.code(), StandardCharsets.UTF_8)).isEqualTo(CODE);
        assertThat(s.stubTarget()).isNull();
    }

    @Test
    void aWrapperInsideAWrapperDecodesToTheInnermostCode() throws Exception {
        Path p = wrapper("nested.py", """
                (lambda inner: 'import bz2,base64\\nexec(bz2.decompress(base64.b85decode("' + base64.b85encode(bz2.compress(inner.encode())).decode() + '")))\\n')(
                 'from zlib import decompress as D\\nfrom base64 import b64decode\\nexec(D(b64decode("' + base64.b64encode(zlib.compress(c)).decode() + '")))\\n')""");
        ScriptCode s = ScriptCode.read(p);
        assertThat(new String(s.code(), StandardCharsets.UTF_8)).isEqualTo(CODE);
        assertThat(s.decodedChain()).containsExactly("base64.b85decode", "bz2.decompress", "base64.b64decode", "zlib.decompress");
    }

    @Test
    void aPayloadThatNeedsMoreThanLiteralsIsRefusedNamingWhatItUsesAndNeverRun() throws Exception {
        Path marker = tmp.resolve("ran");
        Path env = Files.writeString(tmp.resolve("env.py"), "import lzma,base64,os\nexec(lzma.decompress(base64.b85decode(os.environ['P'])))\n");
        assertThatThrownBy(() -> ScriptCode.read(env)).hasMessageContaining("env.py: the exec wrapper does not decode")
                .hasMessageContaining("os.environ['P']").hasMessageContaining("never the code itself");
        Path sneaky = Files.writeString(tmp.resolve("sneaky.py"), "import zlib,base64\nexec(zlib.decompress(base64.b64decode(open('" + marker + "','w').write('x') or 'eJwDAAAAAAE=')))\n");
        assertThatThrownBy(() -> ScriptCode.read(sneaky)).hasMessageContaining("does not decode");
        assertThat(marker).doesNotExist();
    }

    @Test
    void aStubThatRunsAnotherFileIsNotAWrapperAndNotAnError() throws Exception {
        Path stub = Files.writeString(tmp.resolve("stub.py"), "import zlib\nexec(open('train_real.py').read())\n");
        ScriptCode s = ScriptCode.read(stub);
        assertThat(s.wrapped()).isFalse();
        assertThat(s.stubTarget()).isEqualTo("train_real.py");
    }
}
