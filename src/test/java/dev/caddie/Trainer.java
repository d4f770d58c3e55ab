package dev.caddie;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs examples/tiny-golf/train.java as a subprocess, the way Caddie runs it, in a folder of its own. */
public final class Trainer {
    public record Result(int exitCode, List<String> lines, Path dir) {
        public String text() { return String.join("\n", lines); }

        public String value(String prefix, String key) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (!l.startsWith(prefix)) continue;
                int k = l.indexOf(key + ":");
                if (k < 0) continue;
                String rest = l.substring(k + key.length() + 1).strip();
                return rest.split("\\s+")[0];
            }
            throw new AssertionError("no '" + prefix + "' line with " + key + " in:\n" + text());
        }

        public double number(String prefix, String key) { return Double.parseDouble(value(prefix, key).replace("ms", "")); }
    }

    private Trainer() {}

    public static Path source() { return Path.of("examples", "tiny-golf", "train.java").toAbsolutePath(); }

    /** Small, fast settings every test starts from; the test's own env wins. */
    public static Map<String, String> tiny() {
        return new HashMap<>(Map.of("MAX_WALLCLOCK_SECONDS", "0", "ITERATIONS", "20", "VAL_MAX_TOKENS", "16384",
                "TRAIN_LOG_EVERY", "1", "THREADS", "2", "RUN_ID", "test"));
    }

    public static Result run(Path dir, Map<String, String> env) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.copy(source(), dir.resolve("train.java"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "train.java");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("DATA_PATH", TinyGolfData.dir().toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("train.java did not finish in 300 s:\n" + out);
        }
        return new Result(p.exitValue(), new ArrayList<>(out.lines().toList()), dir);
    }
}
