package dev.caddie.rules;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.github.luben.zstd.Zstd;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * A compressor an export pipeline runs over the serialized model, run for real on sample bytes.
 * Names are the ones records use: zlib-9, zstd-22, xz-9 (also written lzma-9, as Python's
 * lzma module writes .xz), brotli-11, and best-of:A,B (the exporter keeps the smaller).
 */
public sealed interface Compressor {

    /** The accepted spellings, for error messages. */
    String ACCEPTED = "zlib-1..9, zstd-1..22, xz-0..9 (or lzma-0..9), brotli-0..11, zpaq (context mixing, estimated), "
            + "a chain A+B (sized by its strongest stage), or best-of:A,B,...";

    String name();

    /** Compressed size of the given bytes in bytes. */
    long compressedSize(byte[] data);

    /** True when the size is an estimate rather than a real run of the compressor. */
    default boolean estimated() { return false; }

    static Compressor parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("best-of:")) {
            List<Compressor> options = new ArrayList<>();
            for (String part : s.substring("best-of:".length()).split("[,|/]"))
                if (!part.isBlank()) options.add(parse(part));
            if (options.isEmpty()) throw new IllegalArgumentException("compressor '" + spec + "': best-of lists no compressor; accepted: " + ACCEPTED);
            return new BestOf(spec.trim(), options);
        }
        if (s.contains("+")) {
            // A chain like lrzip-zpaq-9+brotli-11: the stage that models the statistics bounds the size,
            // so the strongest stage we can evaluate stands for the chain.
            List<Compressor> stages = new ArrayList<>();
            for (String part : s.split("\\+")) stages.add(parse(part));
            return stages.stream().anyMatch(c -> c instanceof ContextMixing) ? new ContextMixing(spec.trim()) : new BestOf(spec.trim(), stages);
        }
        if (s.contains("zpaq")) return new ContextMixing(spec.trim());
        int dash = s.lastIndexOf('-');
        if (dash < 0) throw new IllegalArgumentException("unknown compressor '" + spec + "'; accepted: " + ACCEPTED);
        String family = s.substring(0, dash);
        int level;
        try {
            level = Integer.parseInt(s.substring(dash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown compressor '" + spec + "' (no level after '-'); accepted: " + ACCEPTED);
        }
        return switch (family) {
            case "zlib", "deflate" -> range(spec, level, 1, 9, new Zlib(level));
            case "zstd", "zstandard" -> range(spec, level, 1, 22, new ZstdLevel(level));
            case "xz", "lzma" -> range(spec, level, 0, 9, new Xz(family + "-" + level, level));
            case "brotli" -> range(spec, level, 0, 11, new Brotli(level));
            default -> throw new IllegalArgumentException("unknown compressor '" + spec + "'; accepted: " + ACCEPTED);
        };
    }

    private static Compressor range(String spec, int level, int lo, int hi, Compressor c) {
        if (level < lo || level > hi) throw new IllegalArgumentException("compressor '" + spec + "': level " + level + " is outside " + lo + ".." + hi);
        return c;
    }

    record Zlib(int level) implements Compressor {
        public String name() { return "zlib-" + level; }

        public long compressedSize(byte[] data) {
            Deflater d = new Deflater(level);
            try {
                d.setInput(data);
                d.finish();
                byte[] buf = new byte[1 << 16];
                long n = 0;
                while (!d.finished()) n += d.deflate(buf);
                return n + 6; // zlib header and Adler-32, as Python's zlib.compress writes them
            } finally {
                d.end();
            }
        }
    }

    record ZstdLevel(int level) implements Compressor {
        public String name() { return "zstd-" + level; }

        public long compressedSize(byte[] data) { return Zstd.compress(data, level).length; }
    }

    record Xz(String name, int preset) implements Compressor {
        public long compressedSize(byte[] data) {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
                LZMA2Options options = new LZMA2Options(preset);
                // A dictionary larger than the input changes nothing in the output but costs its
                // allocation (64 MiB plus match-finder tables at preset 9) on every call.
                options.setDictSize(Math.max(LZMA2Options.DICT_SIZE_MIN, Math.min(options.getDictSize(), data.length)));
                try (XZOutputStream xz = new XZOutputStream(out, options)) {
                    xz.write(data);
                }
                return out.size();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record Brotli(int quality) implements Compressor {
        public String name() { return "brotli-" + quality; }

        public long compressedSize(byte[] data) {
            Brotli4jLoader.ensureAvailability();
            try {
                return Encoder.compress(data, new Encoder.Parameters().setQuality(quality).setWindow(22)).length;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The exporter tries each and keeps the smallest. */
    record BestOf(String name, List<Compressor> options) implements Compressor {
        public long compressedSize(byte[] data) {
            return options.stream().mapToLong(c -> c.compressedSize(data)).min().orElseThrow();
        }

        public boolean estimated() { return options.stream().anyMatch(Compressor::estimated); }
    }

    /**
     * ZPAQ-class context mixing has no maintained JVM port. On the near-memoryless byte streams a
     * quantized export is made of, such coders land within a fraction of a percent of the order-0
     * entropy, so that entropy plus a small model overhead stands in for them (and says so).
     */
    record ContextMixing(String name) implements Compressor {
        public long compressedSize(byte[] data) {
            return (long) Math.ceil(SymbolEntropy.ofBytes(data) * data.length / 8 * 1.003) + 64;
        }

        public boolean estimated() { return true; }
    }
}
