package dev.caddie.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of Caddie's bundled Python helpers under python3 (CPython's ast is the parser: it reads
 * exactly what the training script's interpreter reads). The shared parsing code, py_compat.py, is
 * prepended; the helper reads its input on stdin and answers one JSON object.
 */
final class PythonHelper {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PythonHelper() {}

    static JsonNode run(String helper, byte[] stdin, String what) throws IOException, InterruptedException {
        String code = resource("py_compat.py") + resource(helper);
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", code).start();
        } catch (IOException e) {
            throw new IllegalArgumentException("reading Python needs python3 on PATH (its ast module is the parser): " + e.getMessage());
        }
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        try (var in = p.getOutputStream()) {
            in.write(stdin);
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("python3 did not finish reading " + what);
        }
        if (p.exitValue() != 0)
            throw new IllegalStateException("python3 failed on " + what + ": " + new String(err.join(), StandardCharsets.UTF_8).strip());
        return MAPPER.readTree(out);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PythonHelper.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing bundled helper " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
        }
    }
}
