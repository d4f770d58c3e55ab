package dev.caddie;

import dev.caddie.loop.WorkspaceSetup;
import dev.caddie.run.Git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real Tiny Golf workspace (git repo, train.java, shards, caddie.toml) in a temp dir. `caddie init` runs
 * once into a template; each test gets a copy, plus a fast "test" tier appended to its caddie.toml.
 */
public final class TestWorkspace {
    public static final String TEST_TIER = """

            [tiers.test]
            executor = "local"
            timeout_seconds = 120
            cost_per_hour = 0.0
            env = { ITERATIONS = "20", MAX_WALLCLOCK_SECONDS = "0", VAL_MAX_TOKENS = "8192", TRAIN_LOG_EVERY = "1" }
            """;
    private static Path template;
    private static final String PRESET_COMMAND = "command = [\"java\", \"train.java\"]";

    /**
     * The preset's `java train.java`, with the compiled class kept by the file's hash: the suite runs train.java a few
     * hundred times, mostly unchanged, and the source launcher compiles it every time (about 1.8 s of a 5 s run).
     * Each distinct file is compiled once, into a temp folder moved into place whole, so concurrent runs never read a
     * half-written class. The runs themselves are the same program on the same JDK.
     */
    private static String cachedCompile() throws IOException {
        Path cache = Files.createDirectories(Path.of("target", "test-data", "train-classes").toAbsolutePath());
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        String script = "d=" + cache + "/$(sha256sum train.java | cut -c1-32); if [ ! -f $d/train.class ]; then t=$(mktemp -d " + cache + "/tmp.XXXXXX) && "
                + bin.resolve("javac") + " -nowarn -d $t train.java && { mv -T $t $d 2>/dev/null || rm -rf $t; } || exit 1; fi; exec " + bin.resolve("java") + " -cp $d train";
        return "command = [\"bash\", \"-c\", \"" + script + "\"]";
    }

    private TestWorkspace() {}

    static synchronized Path template() throws IOException {
        if (template == null) {
            Path t = Path.of("target", "test-data", "workspace-template").toAbsolutePath();
            if (Files.exists(t)) delete(t);
            WorkspaceSetup.init(t, "tiny-golf", false);
            Files.writeString(t.resolve("caddie.toml"), Files.readString(t.resolve("caddie.toml")).replace(PRESET_COMMAND, cachedCompile()) + TEST_TIER);
            template = t;
        }
        return template;
    }

    /** A fresh copy of the template at dir. */
    public static Path create(Path dir) throws IOException, InterruptedException {
        Path t = template();
        Process p = new ProcessBuilder("cp", "-a", t.toString(), dir.toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new IOException("cp -a failed");
        Git.run(dir, "status", "--short"); // fails if the copy is not a repository
        return dir;
    }

    static void delete(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
