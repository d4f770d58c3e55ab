package dev.caddie.cli;

import dev.caddie.TestWorkspace;
import dev.caddie.run.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first-contact probes (shared/reports/first-contact-probes.md) replayed on a real Caddie process: each bad
 * input gets a clear message naming what was wrong and a non-zero exit, never a stack trace, a spin or a
 * confident wrong answer.
 */
class HostileInputTest {
    @TempDir Path tmp;

    record Out(int code, String text) {
        /** No Java stack trace or bare exception reached the user. */
        Out clean() {
            assertThat(text).doesNotContain("Exception in thread", "\tat ", "NullPointerException", "Input length =");
            return this;
        }
    }

    private Out caddie(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.caddie.cli.CaddieCommand"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(tmp.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("caddie " + String.join(" ", args) + " did not end").isTrue();
        return new Out(p.exitValue(), new String(out, StandardCharsets.UTF_8)).clean();
    }

    private Out caddie(String... args) throws Exception { return caddie(Map.of(), args); }

    private static String log(double loss, double bpb) {
        return "step:100/100 train_loss:2.5000\nfinal_int8_zlib_roundtrip_exact val_loss:" + loss + " val_bpb:" + bpb + "\n";
    }

    @Test
    void helpWorksOnEveryCommandAndSubcommandWithExitZero() throws Exception {
        for (String[] args : List.of(new String[]{"run", "--help"}, new String[]{"init", "-h"}, new String[]{"check", "artifact", "--help"},
                new String[]{"parse", "--help"}, new String[]{"ledger", "show", "-h"}, new String[]{"lint", "-h"})) {
            Out o = caddie(args);
            assertThat(o.code()).as(String.join(" ", args) + "\n" + o.text()).isZero();
            assertThat(o.text()).contains("Usage: caddie " + args[0]);
        }
        Out nested = caddie("help", "check", "artifact");
        assertThat(nested.code()).isZero();
        assertThat(nested.text()).contains("Usage: caddie check artifact", "--script");
        assertThat(caddie("help", "check", "nosuch").text()).contains("'nosuch' is not a command of `caddie check`");
    }

    @Test
    void significanceRefusesCopiesAsSeedsAndNonsenseLevels() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.log"), log(2.05, 1.21)), b = Files.writeString(tmp.resolve("b.log"), log(2.05, 1.21));
        Path c = Files.writeString(tmp.resolve("c.log"), log(2.05, 1.21) + "\n");
        Out copies = caddie("significance", "--candidate", a.toString(), b.toString(), c.toString(), "--baseline-loss", "2.1");
        assertThat(copies.code()).isEqualTo(2);
        assertThat(copies.text()).contains("are the same log, byte for byte");
        Out zero = caddie("significance", "--candidate", a.toString(), c.toString(), "--baseline-loss", "2.1");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.text()).contains("sd 0", "copies of one run").doesNotContain("SIGNIFICANT");
        Path d = Files.writeString(tmp.resolve("d.log"), log(2.06, 1.22));
        // another tokenizer's baseline: its val_loss is per token of another vocabulary
        Path b1 = Files.writeString(tmp.resolve("b1.log"), log(2.95, 1.23)), b2 = Files.writeString(tmp.resolve("b2.log"), log(2.96, 1.24));
        Out tok = caddie("significance", "--candidate", a.toString(), d.toString(), "--baseline", b1.toString(), b2.toString());
        assertThat(tok.code()).as(tok.text()).isEqualTo(2);
        assertThat(tok.text()).contains("different tokenizers", "--baseline-bpb");
        for (String[] bad : List.of(new String[]{"--alpha", "2"}, new String[]{"--alpha", "NaN"}, new String[]{"--margin", "-1"})) {
            Out o = caddie("significance", "--candidate", a.toString(), d.toString(), "--baseline-loss", "2.1", bad[0], bad[1]);
            assertThat(o.code()).as(o.text()).isEqualTo(2);
            assertThat(o.text()).contains(bad[0] + " must be");
        }
    }

    @Test
    void checkConstraintsRefusesImpossibleShapes() throws Exception {
        for (String[] bad : List.of(new String[]{"--time-limit", "-1"}, new String[]{"--gpus", "0"}, new String[]{"--limit", "-1"})) {
            Out o = caddie("check", "constraints", "--params", "23000000", "--bits", "6", bad[0], bad[1]);
            assertThat(o.code()).as(o.text()).isEqualTo(2);
            assertThat(o.text()).contains(bad[0] + " must be").doesNotContain("steps", "/ by zero");
        }
    }

    @Test
    void aDecompressionBombIsRefusedByLintCheckArtifactAndCompare() throws Exception {
        Path bomb = Files.write(tmp.resolve("train_gpt.py"), dev.caddie.ScriptBomb.bytes(80L << 20));
        Path plain = Files.writeString(tmp.resolve("plain.py"), "print('x')\n");
        for (String[] args : List.of(new String[]{"lint", bomb.toString()}, new String[]{"check", "artifact", "--script", bomb.toString()},
                new String[]{"compare", bomb.toString(), "--baseline", plain.toString()})) {
            Out o = caddie(args);
            assertThat(o.code()).as(o.text()).isEqualTo(2);
            assertThat(o.text()).contains("decompression bomb").doesNotContain("OutOfMemoryError");
        }
    }

    @Test
    void binaryFilesAreNamedAsNotTextWhereverAFileIsRead() throws Exception {
        byte[] noise = new byte[4096];
        new java.util.Random(1).nextBytes(noise);
        Path bin = Files.write(tmp.resolve("binary.bin"), noise);
        Path py = Files.writeString(tmp.resolve("x.py"), "print('x')\n");
        Out lint = caddie("lint", "--baseline", bin.toString(), py.toString());
        assertThat(lint.code()).isEqualTo(2);
        assertThat(lint.text()).contains("binary.bin: not a text file").doesNotContain("clean");
        Out parse = caddie("parse", bin.toString(), tmp.toString());
        assertThat(parse.code()).isEqualTo(2);
        assertThat(parse.text()).contains("binary.bin: not a text log", "is a folder");
        Out cal = caddie("check", "constraints", "--calibration", bin.toString());
        assertThat(cal.code()).isEqualTo(2);
        assertThat(cal.text()).contains("binary.bin: not UTF-8 text");
    }

    @Test
    void logsAsUsersHandThemOverAreRead() throws Exception {
        String text = log(2.05, 1.2345);
        Path gz = tmp.resolve("train.log.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(gz))) { out.write(text.getBytes(StandardCharsets.UTF_8)); }
        byte[] utf16 = ("\uFEFF" + text).getBytes(StandardCharsets.UTF_16LE);
        Path u16 = Files.write(tmp.resolve("ps.log"), utf16);
        Path ansi = Files.writeString(tmp.resolve("ansi.log"), text.replace("final_int8", "\u001b[32mfinal_int8").replace("\n", "\u001b[0m\n"));
        Out o = caddie("parse", gz.toString(), u16.toString(), ansi.toString());
        assertThat(o.code()).as(o.text()).isZero();
        assertThat(o.text().split("score: final_int8_zlib_roundtrip_exact val_bpb 1.23450000", -1)).hasSize(4);
    }

    @Test
    void checkArtifactWithOnlyTheScriptCountsTheCodeAndSaysWhatIsLeftForTheModel() throws Exception {
        Path py = Files.writeString(tmp.resolve("train_gpt.py"), "print('x')\n");
        Out o = caddie("check", "artifact", "--script", py.toString());
        assertThat(o.code()).as(o.text()).isZero();
        assertThat(o.text()).contains("code:", "11 bytes", "model: not given", "15,999,989 bytes of the 16,000,000 limit are left");
        Path model = Files.write(tmp.resolve("m.bin"), new byte[3]);
        assertThat(caddie("check", "artifact", "--model", model.toString()).text()).contains("no script given: pass --script FILE");
    }

    @Test
    void dataSyntheticRefusesASizeNoDiskHoldsAndAFileInPlaceOfTheFolder() throws Exception {
        Out big = caddie("data", "synthetic", "--vocab", "256", "--tokens", "99999999999", "--out", tmp.resolve("d").toString());
        assertThat(big.code()).isEqualTo(2);
        assertThat(big.text()).contains("--tokens 99,999,999,999 is more than");
        assertThat(tmp.resolve("d")).doesNotExist();
        Path file = Files.writeString(tmp.resolve("afile"), "");
        Out f = caddie("data", "synthetic", "--vocab", "256", "--tokens", "1000", "--out", file.toString());
        assertThat(f.code()).isEqualTo(2);
        assertThat(f.text()).contains("afile: already exists as a file");
        Out demo = caddie("demo", "--dir", file.toString());
        assertThat(demo.text()).contains("is a file, not a folder");
        Out neg = caddie("demo", "--experiments", "-1", "--dir", tmp.resolve("never").toString());
        assertThat(neg.code()).isEqualTo(2);
        assertThat(neg.text()).contains("--experiments must be at least 1");
        assertThat(tmp.resolve("never")).doesNotExist();
    }

    @Test
    void configMistakesAreLocatedWithTheKeyMeant() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path toml = ws.resolve("caddie.toml");
        String good = Files.readString(toml);
        Files.writeString(toml, good.replace("micro_first = true", "micro_frist = false").replace("timeout_seconds = 120", "timout = 5")
                .replace("noise_k = 2.0", "noise_k = nan").replace("dollars = 0.0", "dollars = nan"));
        Out o = caddie("run", "-C", ws.toString(), "--experiments", "-1");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.text()).contains("loop.micro_frist: unknown key; did you mean 'micro_first'?", "tiers.test.timout: unknown key; did you mean 'timeout_seconds'?",
                "loop.noise_k: NaN is out of range", "budget.dollars: NaN is out of range");
        Files.writeString(toml, "\uFEFF" + good);
        // read past the mark: the next complaint is about the option, not the file
        assertThat(caddie("run", "-C", ws.toString(), "--experiments", "-1").text()).contains("--experiments must be at least 1").doesNotContain("caddie.toml");
        Files.write(toml, new byte[]{(byte) 0xc3, 0x28, 0x00, (byte) 0xff});
        assertThat(caddie("run", "-C", ws.toString(), "--experiments", "-1").text()).contains("caddie.toml: not UTF-8 text");
        Files.delete(toml);
        Files.createDirectory(toml);
        assertThat(caddie("run", "-C", ws.toString(), "--experiments", "-1").text()).contains("caddie.toml: is a folder");
    }

    @Test
    void runAndMailRefuseNonsenseLimitsAndMissingFolders() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        for (String[] bad : List.of(new String[]{"--experiments", "-1"}, new String[]{"--experiments", "0"}, new String[]{"--hours", "-3"},
                new String[]{"--hours", "NaN"})) {
            Out o = caddie("run", "-C", ws.toString(), bad[0], bad[1]);
            assertThat(o.code()).as(o.text()).isEqualTo(2);
            assertThat(o.text()).contains(bad[0] + " must be");
        }
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(new dev.caddie.loop.Workspace(ws).ledgerFile())) {
            l.setMeta("tag", "t");
        }
        Out imp = caddie("mail", "import", tmp.resolve("nope").toString(), "--from", "agent", "-C", ws.toString());
        assertThat(imp.code()).as(imp.text()).isEqualTo(2);
        assertThat(imp.text()).contains("nope: no such folder");
    }

    @Test
    void aKeyARunPrintsNeverReachesTheLedgerTheLogOrTheExportAndRunsDoNotInheritKeys() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        String toml = Files.readString(ws.resolve("caddie.toml")).replace("micro_first = true", "micro_first = false");
        Files.writeString(ws.resolve("caddie.toml"), toml + """

                [tiers.leaky]
                executor = "local"
                command = ["bash", "-c", "echo \\"seen=${OPENAI_API_KEY:-none} hf=${HF_TOKEN:-none}\\"; echo 'RuntimeError: failed with key sk-test-1234567'; exit 1"]
                timeout_seconds = 60
                cost_per_hour = 0.0
                pass_env = ["HF_TOKEN"]
                """);
        Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-test-1234567", "HF_TOKEN", "hf-secret-value-42");
        Out run = caddie(env, "run", "-C", ws.toString(), "--tier", "leaky", "--experiments", "1");
        assertThat(run.code()).as(run.text()).isEqualTo(1); // the baseline crashed: stopped, saying why
        assertThat(run.text()).contains("stopped: the baseline", "[redacted OPENAI_API_KEY]").doesNotContain("sk-test-1234567");
        Out export = caddie(env, "ledger", "export", "--format", "jsonl", "-C", ws.toString());
        assertThat(export.text()).doesNotContain("sk-test-1234567").doesNotContain("hf-secret-value-42");
        String log;
        try (var s = Files.walk(ws.resolve(".caddie/runs"))) {
            log = Files.readString(s.filter(p -> p.getFileName().toString().equals("log.txt")).findFirst().orElseThrow());
        }
        assertThat(log).contains("seen=none", "hf=[redacted HF_TOKEN]").doesNotContain("sk-test-1234567", "hf-secret-value-42");
    }

    @Test
    void initInsideAUsersRepositoryChangesNothingWithoutAPreset() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Git.run(repo, "init", "-q");
        Files.writeString(repo.resolve("README.md"), "mine\n");
        Out o = caddie("init", repo.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.text()).contains("already holds files (README.md)", "--preset");
        assertThat(Files.readString(repo.resolve("README.md"))).isEqualTo("mine\n");
    }

    /** A ledger on a read-only mount (a copy handed over, an archive) can still be read; WAL mode needed write access. */
    @Test
    void aLedgerOnAReadOnlyMountCanStillBeListedAndExported() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(new dev.caddie.loop.Workspace(ws).ledgerFile())) {
            l.addCandidate("t", "c0ffee0", "c0ffee0", "search", "read me from a read-only mount", Map.of(), 0, 0, 0);
        }
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        boolean mounted = sh("mount", "--bind", ws.toString(), ro.toString()) && sh("mount", "-o", "remount,ro,bind", ro.toString());
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "needs a read-only bind mount (root with mount permission)");
            Out list = caddie("ledger", "list", "-C", ro.toString());
            assertThat(list.code()).as(list.text()).isZero();
            assertThat(list.text()).contains("read me from a read-only mount");
            assertThat(caddie("ledger", "export", "--format", "jsonl", "-C", ro.toString()).text()).contains("read me from a read-only mount");
        } finally {
            sh("umount", ro.toString()); // also when only the first mount took
        }
    }

    private static boolean sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aFinalLineWithANegativeOrNanScoreIsNamedNotIgnored() throws Exception {
        Path neg = Files.writeString(tmp.resolve("neg.log"), log(-2.05, -1.2));
        Out o = caddie("parse", neg.toString());
        assertThat(o.text()).contains("no final metric line with a usable val_bpb", "which no evaluation can give");
        Path nan = Files.writeString(tmp.resolve("nan.log"), "final_int8_zlib_roundtrip_exact val_loss:nan val_bpb:nan\n");
        assertThat(caddie("parse", nan.toString()).text()).contains("the model diverged");
    }

    @Test
    @dev.caddie.Needs(dev.caddie.Requirement.PYTHON3)
    void lintSaysWhatItCannotSeeAndCompareRefusesBinary() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.log"), "");
        assertThat(caddie("lint", empty.toString()).text()).contains("is empty: there is nothing to lint");
        Path stub = Files.writeString(tmp.resolve("stub.py"), "exec(open(\"real_train.py\").read())\n");
        assertThat(caddie("lint", stub.toString()).text()).contains("runs code from real_train.py, which this lint does not see");
        Path bin = Files.write(tmp.resolve("b.py"), new byte[]{(byte) 0xff, 0, 1, 2});
        Out cmp = caddie("compare", bin.toString(), "--baseline", stub.toString());
        assertThat(cmp.code()).isEqualTo(2);
        assertThat(cmp.text()).contains("b.py: not a text file").doesNotContain("Traceback");
    }

    @Test
    void microAppliesTheSameGatesAsRunAndRefusesADiffThatIsNotText() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path diff = Files.writeString(tmp.resolve("toml.diff"), """
                --- a/caddie.toml
                +++ b/caddie.toml
                @@ -1,1 +1,2 @@
                """ + " " + Files.readAllLines(ws.resolve("caddie.toml")).get(0) + "\n+# sneaked in\n");
        Out o = caddie("micro", "--diff", diff.toString(), "-C", ws.toString());
        assertThat(o.code()).as(o.text()).isEqualTo(1);
        assertThat(o.text()).contains("rejected before running", "caddie.toml");
        Path noise = Files.write(tmp.resolve("noise.diff"), new byte[]{(byte) 0xc3, 0x28, (byte) 0xff, 10});
        Out n = caddie("micro", "--diff", noise.toString(), "-C", ws.toString());
        assertThat(n.code()).isEqualTo(2);
        assertThat(n.text()).contains("noise.diff: not UTF-8 text; expected a unified diff");
    }

    @Test
    void aTagThatGitWouldTakeForAnOptionOrRefuseIsRefusedFirst() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        for (String tag : List.of("--force", "a..b", "x.lock", "x".repeat(300))) {
            Out o = caddie("run", "-C", ws.toString(), "--experiments", "1", "--tag=" + tag);
            assertThat(o.code()).as(tag + ": " + o.text()).isEqualTo(2);
            assertThat(o.text()).contains("must start with a letter or digit");
        }
        assertThat(Git.run(ws, "branch", "--list", "caddie/*")).isBlank();
    }

    @Test
    void anotherProgramsSqliteFileIsNotAdoptedAsTheLedger() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path db = new dev.caddie.loop.Workspace(ws).ledgerFile();
        Files.createDirectories(db.getParent());
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
            st.execute("CREATE TABLE photos(id INTEGER PRIMARY KEY, path TEXT)");
        }
        Out o = caddie("ledger", "list", "-C", ws.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.text()).contains("an SQLite database of another program (tables photos)", "not a Caddie ledger");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var rs = c.createStatement()
                .executeQuery("SELECT count(*) FROM sqlite_master WHERE type='table'")) {
            assertThat(rs.getInt(1)).isEqualTo(1); // nothing of Caddie's was added to it
        }
    }

    @Test
    void aWorkspaceWhoseGitIsGoneSaysWhatToDo() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        try (var s = Files.walk(ws.resolve(".git"))) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Out o = caddie("run", "-C", ws.toString(), "--experiments", "1");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.text()).contains("is not the top of a git repository", "git init").doesNotContain("fatal:");
    }

    @Test
    void mailImportSkipsBadLinesOneByOneAndRefusesAnEmptySender() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        try (dev.caddie.ledger.Ledger l = dev.caddie.ledger.Ledger.open(new dev.caddie.loop.Workspace(ws).ledgerFile())) {
            l.setMeta("tag", "t");
        }
        Path dir = Files.createDirectories(tmp.resolve("agent"));
        byte[] good = "{\"topic\": \"bigram hash embeddings\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {(byte) 0xc3, 0x28, (byte) 0xff, '\n'};
        byte[] huge = ("{\"topic\": \"" + "x".repeat(20 << 20) + "\"}\n").getBytes(StandardCharsets.UTF_8); // probe J3: one 20 MB line
        Files.write(dir.resolve("research_queue.jsonl"), concat(bad, good, huge));
        Out o = caddie("mail", "import", dir.toString(), "--from", "agent", "-C", ws.toString());
        assertThat(o.code()).as(o.text()).isEqualTo(1);
        assertThat(o.text()).contains("research_queue.jsonl:1: not UTF-8 text; skipped", "research_queue.jsonl:3:", "over the", "imported 1 new message(s)");
        Out empty = caddie("mail", "import", dir.toString(), "--from", "", "-C", ws.toString());
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.text()).contains("--from must name the agent");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void anEmptyModelFileIsNamedAndTournamentModeNamesItsOwnOptions() throws Exception {
        Path py = Files.writeString(tmp.resolve("train_gpt.py"), "print('x')\n");
        Path model = Files.write(tmp.resolve("final_model.ptz"), new byte[0]);
        assertThat(caddie("check", "artifact", "--script", py.toString(), "--model", model.toString()).text())
                .contains("final_model.ptz is empty: is it the compressed model the run wrote?");
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Out o = caddie("run", "-C", ws.toString(), "--checkpoints", "0.3,0.6", "--eta", "0", "--experiments", "1");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.text()).contains("--experiments must be at least 2 in tournament mode").doesNotContain("--candidates");
    }

    @Test
    void triageNamesAMissingFolderAnUnknownTrackAndJudgesAFolderInJson() throws Exception {
        Out missing = caddie("triage", "--dir", tmp.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.text()).contains("nope: no such folder");
        Path dir = Files.createDirectories(tmp.resolve("records/track_non_record_16mb/2026-05-01_Mine"));
        Files.writeString(dir.resolve("submission.json"), "{\"val_bpb\": 1.2345}\n");
        Files.writeString(dir.resolve("train.log"), log(2.05, 1.2345));
        assertThat(caddie("triage", "--dir", dir.toString(), "--track", "golf").text()).contains("unknown --track 'golf'");
        Out ok = caddie("triage", "--dir", dir.toString(), "--json", "--no-lint");
        assertThat(ok.code()).as(ok.text()).isZero();
        assertThat(ok.text()).contains("\"verdict\" : \"valid-nonrecord\"", "\"claimed_val_bpb\" : 1.2345", "\"seeds\" : 1");
    }
}
