package dev.caddie.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a size-calibration table (the format of artifact-calibration.tsv: one record export per row
 * with its tensor groups, quantizer, shuffle, compressor, code bytes and the sizes its log printed)
 * into export specs the size model can predict. Unknown extra columns are ignored; two optional
 * ones are read when present: {@code weight_tail} (Student-t nu or "gaussian") and {@code row_length}.
 */
public final class CalibrationFile {
    static final List<String> REQUIRED = List.of("groups", "quant", "float_params", "code_bytes");
    private static final Pattern DATE = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})");
    private static final Pattern FLOAT_DTYPE = Pattern.compile("float dtype:\\s*(fp16|fp32|bf16)", Pattern.CASE_INSENSITIVE);

    /** One row: where it came from, what it predicts from, and what its log printed (null when absent). */
    public record Row(int line, String label, ExportSpec spec, String tailSource, Long modelBytesLogged, Long totalBytesLogged) {}

    private CalibrationFile() {}

    public static List<Row> read(Path file, int defaultRowLength) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text; expected a tab-separated calibration table like artifact-calibration.tsv");
        }
        if (lines.isEmpty()) throw new IllegalArgumentException(file + ": empty; expected a tab-separated header with " + REQUIRED);
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.size(); i++) col.put(header.get(i).trim(), i);
        for (String r : REQUIRED)
            if (!col.containsKey(r)) throw new IllegalArgumentException(file + ":1: header lacks column '" + r + "'; required: " + REQUIRED);
        if (!col.containsKey("compressor_code") && !col.containsKey("compressor"))
            throw new IllegalArgumentException(file + ":1: header lacks column 'compressor_code' (or 'compressor')");
        List<Row> rows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            String where = file + ":" + (n + 1);
            try {
                rows.add(row(n + 1, f, col, defaultRowLength));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return rows;
    }

    private static Row row(int line, String[] f, Map<String, Integer> col, int defaultRowLength) {
        String label = field(f, col, "folder");
        if (label.isEmpty()) label = "row " + line;
        String log = field(f, col, "log_file");
        if (!log.isEmpty()) label += " (" + log + ")";
        List<TensorGroup> groups = new ArrayList<>();
        for (String g : required(f, col, "groups").split(";"))
            if (!g.isBlank()) groups.add(TensorGroup.parse(g));
        Quantizer quant = Quantizer.parse(required(f, col, "quant"));
        String compressorCode = field(f, col, "compressor_code");
        Compressor compressor = Compressor.parse(compressorCode.isEmpty() ? required(f, col, "compressor") : compressorCode);
        ExportSpec.Shuffle shuffle = ExportSpec.Shuffle.parse(field(f, col, "shuffle"));
        String scheme = field(f, col, "storage_scheme").toLowerCase(Locale.ROOT);
        ExportSpec.Layout layout = scheme.contains("bit-packed int") || scheme.contains("bitpacked int") ? ExportSpec.Layout.PACKED : ExportSpec.Layout.INT8;
        Matcher dtype = FLOAT_DTYPE.matcher(field(f, col, "notes") + " " + scheme);
        int floatBits = dtype.find() && dtype.group(1).equalsIgnoreCase("fp32") ? 32 : 16;
        String rowLen = field(f, col, "row_length");
        int rowLength = rowLen.isEmpty() ? defaultRowLength : number(rowLen, "row_length").intValue();
        String tail = field(f, col, "weight_tail");
        Matcher date = DATE.matcher(field(f, col, "folder"));
        WeightPrior.Choice prior = tail.isEmpty() ? WeightPrior.forExport(quant, date.find() ? date.group(1) : null) : null;
        WeightShape shape = prior == null ? WeightShape.parse(tail) : prior.shape();
        ExportSpec spec = new ExportSpec(groups, number(required(f, col, "float_params"), "float_params"), floatBits, quant, layout, shuffle,
                compressor, number(required(f, col, "code_bytes"), "code_bytes"), rowLength, shape, null);
        String modelLogged = field(f, col, "model_bytes_logged"), totalLogged = field(f, col, "total_bytes_logged");
        return new Row(line, label, spec, prior == null ? "weight_tail column" : prior.reason(),
                modelLogged.isEmpty() ? null : number(modelLogged, "model_bytes_logged"),
                totalLogged.isEmpty() ? null : number(totalLogged, "total_bytes_logged"));
    }

    private static String field(String[] f, Map<String, Integer> col, String name) {
        Integer i = col.get(name);
        if (i == null || i >= f.length) return "";
        String v = f[i].trim();
        return v.equalsIgnoreCase("NA") ? "" : v;
    }

    private static String required(String[] f, Map<String, Integer> col, String name) {
        String v = field(f, col, name);
        if (v.isEmpty()) throw new IllegalArgumentException("column '" + name + "' is empty");
        return v;
    }

    private static Long number(String v, String name) {
        try {
            return Long.parseLong(v.replace(",", "").replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column '" + name + "': '" + v + "' is not a whole number");
        }
    }
}
