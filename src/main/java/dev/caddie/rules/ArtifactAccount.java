package dev.caddie.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bytes the challenge counts for a submission, script plus compressed model, and how they were
 * arrived at: which code-size convention applied, what the other would give, and anything that
 * does not add up (a log that counted more code than the script holds, a stub that runs other code).
 */
public record ArtifactAccount(Long scriptBytes, Long decodedBytes, String convention, long codeBytes, String otherConvention, Long otherCodeBytes,
                              long modelBytes, String modelSource, Long logTotalBytes, long limit, List<String> findings) {

    public static final long LIMIT = 16_000_000L;
    public static final String RAW = "raw script bytes (the rule as written)";
    public static final String COMPRESSED = "compressed script (the exec wrapper's bytes as shipped)";

    /** The sizes a train log printed (any may be null). */
    public record LoggedSizes(String file, Long codeBytes, Long modelBytes, Long totalBytes) {}

    public long totalBytes() { return codeBytes + modelBytes; }

    public long headroom() { return limit - totalBytes(); }

    public boolean withinLimit() { return totalBytes() <= limit; }

    /**
     * @param script    the script as shipped, or null to take the code size from the log
     * @param modelFile size of the compressed model file, or null to take it from the log
     * @param log       the run's log, or null
     */
    public static ArtifactAccount of(ScriptCode script, Long modelFile, LoggedSizes log, long limit) {
        List<String> findings = new ArrayList<>();
        Long logCode = log == null ? null : log.codeBytes();
        Long logTotal = log == null ? null : log.totalBytes();
        String convention, other = null;
        long code;
        Long otherBytes = null, scriptBytes = null, decoded = null;
        if (script != null) {
            scriptBytes = (long) script.bytes().length;
            if (script.wrapped()) {
                decoded = (long) script.decoded().length;
                convention = COMPRESSED;
                code = scriptBytes;
                other = RAW;
                otherBytes = decoded;
                if (logCode != null && decoded > logCode)
                    findings.add(String.format(Locale.ROOT, "the wrapper's decoded code is %,d bytes, larger than the %,d the log counted: the log counted the compressed form",
                            decoded, logCode));
            } else {
                convention = RAW;
                code = scriptBytes;
                other = "compressed script (as a two-line lzma/base85 exec wrapper)";
                otherBytes = ScriptCode.wrappedSize(script.bytes());
            }
            if (script.stubTarget() != null)
                findings.add("the script runs code from " + script.stubTarget() + ", whose bytes it does not contain: that code must be counted too");
            if (logCode != null && logCode > code) {
                findings.add(String.format(Locale.ROOT, "the log counted %,d code bytes but the script is %,d: the run used more code than this file ships; the log's figure is used",
                        logCode, code));
                code = logCode;
            } else if (logCode != null && logCode < code) {
                findings.add(String.format(Locale.ROOT, "the log counted %,d code bytes, this script is %,d: it is not the file that ran (the script's figure is used)", logCode, code));
            }
        } else {
            if (logCode == null) throw new IllegalArgumentException(log == null ? "no script given: pass --script FILE (or --log FILE, a train log that prints 'Code size: N bytes')"
                    : "no script given and the log has no code size line ('Code size: N bytes'); pass --script FILE");
            convention = "as the log counted it";
            code = logCode;
        }
        long model;
        String modelSource;
        if (modelFile != null) {
            model = modelFile;
            modelSource = "model file";
        } else if (log != null && log.modelBytes() != null) {
            model = log.modelBytes();
            modelSource = "log (Serialized model ... line)";
        } else if (log != null && logTotal != null && logCode != null) {
            model = logTotal - logCode;
            modelSource = "log total minus its code size";
        } else if (log != null) {
            throw new IllegalArgumentException(log.file() + ": the log has no size line (neither 'Serialized model <format>: N bytes' nor 'Total submission size ...: N bytes'); "
                    + "pass --model FILE with the compressed model");
        } else {
            throw new IllegalArgumentException("no model size: pass --model FILE (the compressed model) or --log FILE (a train log that prints it)");
        }
        ArtifactAccount a = new ArtifactAccount(scriptBytes, decoded, convention, code, other, otherBytes, model, modelSource, logTotal, limit, findings);
        if (logTotal != null && logTotal != a.totalBytes())
            findings.add(String.format(Locale.ROOT, "the log's own total is %,d bytes (%s the limit)", logTotal, logTotal <= limit ? "within" : "OVER"));
        return a;
    }
}
