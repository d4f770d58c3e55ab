package dev.caddie.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a real Caddie process on the test class path, as a user's shell would. */
public final class CaddieProcessTestSupport {
    private CaddieProcessTestSupport() {}

    public static Process caddie(Path ws, Path out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.caddie.cli.CaddieCommand"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-C", ws.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }
}
