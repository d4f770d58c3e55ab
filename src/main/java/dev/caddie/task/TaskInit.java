package dev.caddie.task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Writes caddie.toml from a preset, pinning the protected files by SHA-256. */
public final class TaskInit {
    /** Which files each preset protects: evaluation data and tokenizer, as workspace-relative globs. */
    public static final Map<String, List<String>> PROTECTED_GLOBS = Map.of(
            "tiny-golf", List.of("data/tinygolf_*.bin"),
            "parameter-golf", List.of("data/datasets/*/fineweb_val_*.bin", "data/tokenizers/*.model"));

    private TaskInit() {}

    /** Writes workspace/caddie.toml (the caller has checked that replacing one is safe). Returns the pinned files. */
    public static Map<String, String> writeSpec(Path workspace, String preset) throws IOException {
        Path file = workspace.resolve(TaskSpec.FILE);
        Map<String, String> pinned = pin(workspace, PROTECTED_GLOBS.getOrDefault(preset, List.of()));
        Files.writeString(file, Presets.withProtected(Presets.text(preset), pinned));
        return pinned;
    }

    static Map<String, String> pin(Path workspace, List<String> globs) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String glob : globs) {
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            Path data = workspace.resolve(glob.substring(0, glob.indexOf('/') < 0 ? 0 : glob.indexOf('/')));
            if (!Files.isDirectory(data)) continue;
            try (Stream<Path> files = Files.walk(data)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    Path rel = workspace.relativize(p);
                    if (m.matches(rel)) out.put(rel.toString().replace('\\', '/'), sha256(p));
                }
            }
        }
        return out;
    }

    static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
