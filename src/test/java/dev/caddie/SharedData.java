package dev.caddie;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the challenge's real records, logs and scripts, read in place from ../shared/data. */
public final class SharedData {
    private SharedData() {}

    public static Path dir() {
        String override = System.getenv("CADDIE_SHARED_DATA");
        Path p = override != null ? Path.of(override) : Path.of("..", "shared", "data").toAbsolutePath().normalize();
        if (!Files.isDirectory(p))
            throw new IllegalStateException("challenge data not found at " + p + " (set CADDIE_SHARED_DATA to its folder)");
        return p;
    }

    public static Path file(String relative) { return dir().resolve(relative); }
}
