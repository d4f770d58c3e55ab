package dev.caddie;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Locates the challenge's real records, logs and scripts, read in place: CADDIE_TESTDATA, else (the older name)
 * CADDIE_SHARED_DATA, else ../shared/data beside the checkout. A test that needs them on a machine without them
 * is skipped and counted, with a line saying how to get them.
 */
public final class SharedData {
    static final String HOW_TO_GET = "set CADDIE_TESTDATA to a folder holding them (pgolf-logs/, pgolf-scripts/, pgolf-records.tsv, ...: the "
            + "data/ folder that Caddie's developers keep beside the checkout as ../shared/data, drawn from github.com/openai/parameter-golf)";

    private SharedData() {}

    /** The folder, or null when this machine has none. */
    static Path find() {
        for (String var : new String[]{"CADDIE_TESTDATA", "CADDIE_SHARED_DATA"}) {
            String v = System.getenv(var);
            if (v != null && !v.isBlank()) return Files.isDirectory(Path.of(v)) ? Path.of(v).toAbsolutePath() : null;
        }
        Path p = Path.of("..", "shared", "data").toAbsolutePath().normalize();
        return Files.isDirectory(p) ? p : null;
    }

    /** The folder; without it the calling test is skipped (not failed). */
    public static Path dir() {
        Path p = find();
        if (p == null) Requirement.announce(Requirement.CHALLENGE_DATA);
        assumeTrue(p != null, Requirement.CHALLENGE_DATA.skipLine());
        return p;
    }

    public static Path file(String relative) { return dir().resolve(relative); }
}
