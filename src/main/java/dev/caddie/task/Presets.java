package dev.caddie.task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The commented caddie.toml templates Caddie ships: tiny-golf and parameter-golf. */
public final class Presets {
    public static final List<String> NAMES = List.of("tiny-golf", "parameter-golf");

    private Presets() {}

    public static String text(String preset) throws IOException {
        if (!NAMES.contains(preset))
            throw new IllegalArgumentException("unknown preset '" + preset + "'; accepted: " + String.join(", ", NAMES));
        try (InputStream in = Presets.class.getResourceAsStream("/presets/" + preset + ".toml")) {
            if (in == null) throw new IOException("preset " + preset + " is missing from the Caddie jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The preset with its [protected] table filled with path = "sha256" lines. */
    public static String withProtected(String template, Map<String, String> pinned) {
        String lines = pinned.entrySet().stream().map(e -> "\"" + e.getKey() + "\" = \"" + e.getValue() + "\"")
                .collect(Collectors.joining("\n"));
        return template.replace("[protected]\n", "[protected]\n" + (lines.isEmpty() ? "" : lines + "\n"));
    }
}
