package dev.caddie.rules;

import org.tukaani.xz.FinishableWrapperOutputStream;
import org.tukaani.xz.LZMA2InputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * A training script as the challenge counts it. Many records ship a one- or two-line wrapper,
 * {@code exec(lzma.decompress(base64.b85decode("...")))}, whose bytes are what gets counted; this
 * decodes such wrappers (lzma in xz, alone and raw LZMA2 form, zlib, gzip; base85, base64) to the
 * code that really runs, and spots stubs that run code from another file, whose bytes nobody counts.
 *
 * @param decodedChain the calls the wrapper applies, innermost first (empty when not a wrapper)
 * @param stubTarget   a file the script executes (exec(open(...)), runpy, a subprocess running python), if any
 */
public record ScriptCode(Path file, byte[] bytes, List<String> decodedChain, byte[] decoded, String stubTarget) {
    private static final Pattern IMPORT = Pattern.compile("\\bimport\\s+([\\w.]+(?:\\s+as\\s+\\w+)?(?:\\s*,\\s*[\\w.]+(?:\\s+as\\s+\\w+)?)*)");
    private static final Pattern EXEC = Pattern.compile("\\bexec\\s*\\(");
    private static final Pattern CALL = Pattern.compile("([\\w.]+)\\s*\\(\\s*");
    private static final java.util.Set<String> DECODERS = java.util.Set.of("b85decode", "b64decode", "urlsafe_b64decode", "decompress");
    // exec(open("x.py").read()), exec(open(__file__.replace("train_gpt.py","train_gpt_decode.py")).read()) (a real
    // record's 74-byte stub), runpy.run_path("x.py"), or a subprocess/os.system running python on a file: the last
    // .py literal in the call names the file that really runs.
    private static final Pattern STUB = Pattern.compile(
            "exec\\s*\\(\\s*open\\s*\\((.{0,300}?)\\)\\s*\\.\\s*read|runpy\\.run_path\\s*\\((.{0,300}?)\\)|"
                    + "(?:subprocess\\.\\w+|os\\.system|os\\.exec\\w*)\\s*\\(([^\\n]{0,300}?python[^\\n]{0,300}?\\.py['\"])");
    private static final Pattern PY_LITERAL = Pattern.compile("['\"]([^'\"]+)['\"]");
    /**
     * The most a script, or what its wrapper decodes to, may hold. Real scripts are under 200 KB; a wrapper
     * can unpack to gigabytes (a decompression bomb), which must be a clear refusal, not an out-of-memory crash.
     */
    public static final int MAX_BYTES = 64 << 20;

    public static ScriptCode read(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a folder; give a script file");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        long size = Files.size(file);
        if (size > MAX_BYTES)
            throw new IllegalArgumentException(String.format("%s: %,d bytes, over the %,d that Caddie reads as a script; no training script is that large", file, size, MAX_BYTES));
        byte[] bytes = Files.readAllBytes(file);
        // A binary file is no script: linted or compared, it would "pass" against nothing (a binary --baseline once did).
        if (!text(bytes))
            throw new IllegalArgumentException(file + ": not a text file (it holds NUL bytes or is not UTF-8); give a Python training script");
        return of(file, bytes);
    }

    static boolean text(byte[] b) {
        for (byte x : b) if (x == 0) return false;
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    public static ScriptCode of(Path file, byte[] bytes) {
        return of(file, bytes, 0);
    }

    private static ScriptCode of(Path file, byte[] bytes, int depth) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> chain = new ArrayList<>();
        byte[] decoded = null;
        RuntimeException failure = null;
        Matcher exec = EXEC.matcher(text);
        if (exec.find()) {
            try {
                decoded = decodeExec(text, exec.end(), aliases(text), chain);
            } catch (IOException | IllegalArgumentException e) {
                failure = new IllegalArgumentException(file + ": the exec wrapper does not decode (" + e.getMessage() + ")", e);
                decoded = null;
            }
            if (decoded == null) chain.clear();
            // The quick reader follows one literal through one call chain. Payloads split over many literals, bound
            // to a name first, or minified past its patterns go to the evaluator of the payload expression.
            if (failure != null || (decoded == null && mayBeWrapper(text))) {
                Unwrapped u = unwrap(file, bytes, failure);
                if (u != null) {
                    decoded = u.code();
                    chain.addAll(u.chain());
                    failure = null;
                }
            }
            if (failure != null) throw failure;
        } else if (mayBeWrapper(text) && RUNS_A_FILE.matcher(text).find()) {
            // No exec at all: the payload is decoded into a name, written to a file, and that file is run.
            Unwrapped u = unwrap(file, bytes, null);
            if (u != null) {
                decoded = u.code();
                chain.addAll(u.chain());
            }
        }
        // A wrapper inside a wrapper: the code that runs is the innermost payload.
        if (decoded != null && depth < 8 && EXEC.matcher(new String(decoded, StandardCharsets.UTF_8)).find()) {
            try {
                ScriptCode inner = of(file, decoded, depth + 1);
                if (inner.wrapped()) {
                    chain.addAll(inner.decodedChain());
                    decoded = inner.decoded();
                }
            } catch (IllegalArgumentException notAWrapper) {
                // the payload is code that happens to call exec on something else: it is what runs
            }
        }
        String runs = new String(decoded != null ? decoded : bytes, StandardCharsets.UTF_8);
        Matcher stub = STUB.matcher(runs);
        String target = null;
        if (stub.find()) {
            String args = stub.group(1) != null ? stub.group(1) : stub.group(2) != null ? stub.group(2) : stub.group(3);
            Matcher lit = PY_LITERAL.matcher(args);
            while (lit.find()) target = lit.group(1);
            if (target == null) target = args.strip();
        }
        return new ScriptCode(file, bytes, List.copyOf(chain), decoded, target);
    }

    private record Unwrapped(byte[] code, List<String> chain) {}

    private static final Pattern RUNS_A_FILE = Pattern.compile("runpy\\.run_\\w+|subprocess\\.|os\\.system|os\\.exec");
    private static final Pattern DECODER_NAME = Pattern.compile("b85decode|b64decode|b32decode|a85decode|decompress|unhexlify|fromhex|codecs\\.decode");

    /** A short file that calls exec and names a decoder: a wrapper whose payload the quick reader did not follow. */
    private static boolean mayBeWrapper(String text) {
        return lines(text.getBytes(StandardCharsets.UTF_8)) <= 60 && DECODER_NAME.matcher(text).find();
    }

    /**
     * Evaluates the payload expression with unwrap.py: literals, +, module-level names and the standard library's
     * decoders only (never exec), bounded at MAX_BYTES. Null when it finds no wrapper; a clear error when it finds
     * one that does not decode. Without python3 the quick reader's own failure stands.
     */
    private static Unwrapped unwrap(Path file, byte[] bytes, RuntimeException quickFailure) {
        com.fasterxml.jackson.databind.JsonNode j;
        try {
            var payload = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                    .put("source", new String(bytes, StandardCharsets.UTF_8)).put("max_bytes", MAX_BYTES);
            j = PythonHelper.run("unwrap.py", payload.toString().getBytes(StandardCharsets.UTF_8), file.toString());
        } catch (IOException | RuntimeException e) {
            if (quickFailure != null) throw quickFailure;
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding " + file, e);
        }
        if (j.has("error")) throw new IllegalArgumentException(file + ": the exec wrapper does not decode (" + j.get("error").asText() + ")");
        if (!j.has("decoded")) return null;
        List<String> chain = new ArrayList<>();
        j.get("chain").forEach(c -> chain.add(c.asText()));
        return new Unwrapped(Base64.getDecoder().decode(j.get("decoded").asText()), chain);
    }

    public boolean wrapped() { return decoded != null; }

    /** The code that runs: the decoded payload of a wrapper, else the file itself. */
    public byte[] code() { return decoded != null ? decoded : bytes; }

    public int lines() { return lines(bytes); }

    public int codeLines() { return lines(code()); }

    static int lines(byte[] b) {
        if (b.length == 0) return 0;
        int n = 0;
        for (byte x : b) if (x == '\n') n++;
        return b[b.length - 1] == '\n' ? n : n + 1;
    }

    /** The size this code would have shipped as a two-line lzma/base85 wrapper, the form April 2026 records use. */
    public static long wrappedSize(byte[] code) {
        try {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            LZMA2Options preset = new LZMA2Options(9);
            // A dictionary larger than the input changes nothing in the output, but preset 9's 64 MiB is allocated
            // whole for every call: sized to the code, triage of thousands of scripts is not spent zeroing memory.
            preset.setDictSize(Math.max(LZMA2Options.DICT_SIZE_MIN, Math.min(preset.getDictSize(), Integer.highestOneBit(Math.max(1, code.length)) << 1)));
            try (var out = preset.getOutputStream(new FinishableWrapperOutputStream(raw))) {
                out.write(code);
            }
            String wrapper = "import lzma as L,base64 as B\nexec(L.decompress(B.b85decode(\"" + Base85.encode(raw.toByteArray())
                    + "\"),format=L.FORMAT_RAW,filters=[{\"id\":L.FILTER_LZMA2}]))\n";
            return wrapper.getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> aliases(String text) {
        Map<String, String> m = new HashMap<>();
        Matcher im = IMPORT.matcher(text);
        while (im.find()) {
            for (String part : im.group(1).split(",")) {
                String[] w = part.trim().split("\\s+as\\s+");
                m.put(w.length == 2 ? w[1].trim() : w[0].trim(), w[0].trim());
            }
        }
        return m;
    }

    /** Reads nested calls from just after {@code exec(} down to a string literal, then applies them inside out. */
    private static byte[] decodeExec(String text, int pos, Map<String, String> aliases, List<String> chain) throws IOException {
        List<String> calls = new ArrayList<>();
        int i = pos;
        while (true) {
            Matcher c = CALL.matcher(text).region(i, text.length());
            if (!c.lookingAt()) break;
            calls.add(c.group(1));
            i = c.end();
        }
        // exec(open(...).read()), exec(compile(...)) and the like are not wrappers: only a chain that
        // contains a known decoder and ends in a literal is one.
        if (calls.stream().noneMatch(c -> DECODERS.contains(c.substring(c.lastIndexOf('.') + 1)))) return null;
        int q = i;
        if (q < text.length() && (text.charAt(q) == 'b' || text.charAt(q) == 'B')) q++;
        if (q >= text.length() || (text.charAt(q) != '"' && text.charAt(q) != '\'')) throw new IllegalArgumentException("no string literal inside the exec call");
        char quote = text.charAt(q);
        int end = text.indexOf(quote, q + 1);
        if (end < 0) throw new IllegalArgumentException("the string literal is not closed");
        String literal = text.substring(q + 1, end);
        String after = text.substring(end + 1, Math.min(text.length(), end + 400));
        byte[] data = literal.getBytes(StandardCharsets.ISO_8859_1);
        for (int k = calls.size() - 1; k >= 0; k--) {
            String call = calls.get(k);
            int dot = call.lastIndexOf('.');
            String module = dot < 0 ? "" : aliases.getOrDefault(call.substring(0, dot), call.substring(0, dot));
            String fn = call.substring(dot + 1);
            String name = module.isEmpty() ? fn : module + "." + fn;
            chain.add(name);
            data = switch (name) {
                case "base64.b85decode" -> Base85.decode(new String(data, StandardCharsets.ISO_8859_1));
                case "base64.b64decode" -> Base64.getMimeDecoder().decode(data);
                case "base64.urlsafe_b64decode" -> Base64.getUrlDecoder().decode(data);
                case "lzma.decompress" -> lzma(data, after.contains("FORMAT_RAW"));
                case "zlib.decompress" -> readAll(new InflaterInputStream(new ByteArrayInputStream(data)));
                case "gzip.decompress" -> readAll(new GZIPInputStream(new ByteArrayInputStream(data)));
                default -> throw new IllegalArgumentException("'" + call + "' (" + name + ") is not a decoder Caddie knows; known: base64.b85decode, "
                        + "base64.b64decode, lzma.decompress, zlib.decompress, gzip.decompress");
            };
        }
        return data;
    }

    private static byte[] lzma(byte[] data, boolean raw) throws IOException {
        InputStream in = new ByteArrayInputStream(data);
        if (raw) return readAll(new LZMA2InputStream(in, 1 << 26));
        boolean xz = data.length > 6 && (data[0] & 0xff) == 0xfd && data[1] == '7' && data[2] == 'z' && data[3] == 'X' && data[4] == 'Z';
        return readAll(xz ? new XZInputStream(in) : new LZMAInputStream(in));
    }

    /** Reads a decoder's output up to MAX_BYTES; more is refused as a decompression bomb. */
    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            byte[] out = in.readNBytes(MAX_BYTES);
            if (in.read() >= 0)
                throw new IllegalArgumentException(String.format("it decodes to more than %,d bytes (a decompression bomb?); no training script is that large", MAX_BYTES));
            return out;
        }
    }

    /** For error messages and reports: the chain as Python would write it, outermost first. */
    public Optional<String> chainDescription() {
        if (decodedChain.isEmpty()) return Optional.empty();
        List<String> outer = new ArrayList<>(decodedChain);
        java.util.Collections.reverse(outer);
        return Optional.of("exec(" + String.join("(", outer) + "(...)" + ")".repeat(outer.size()));
    }
}
