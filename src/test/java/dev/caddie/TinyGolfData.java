package dev.caddie;

import dev.caddie.data.TinyGolfCorpus;

import java.io.IOException;
import java.nio.file.Path;

/** Tiny Golf's shards for tests, prepared once into target/ (preparation is idempotent, so reruns reuse them). */
public final class TinyGolfData {
    private static Path dir;

    private TinyGolfData() {}

    public static synchronized Path dir() throws IOException {
        if (dir == null) {
            Path d = Path.of("target", "test-data", "tinygolf").toAbsolutePath();
            TinyGolfCorpus.prepare(d);
            dir = d;
        }
        return dir;
    }
}
